// The private network shape (vnetEnabled): a virtual network with one subnet for the function app's outbound
// traffic (VNet integration) and one for the private endpoints of the storage account and the Key Vault, and the
// private DNS zones that make their usual host names resolve to those endpoints from inside the network.

@description('Azure region of the resources.')
param location string

@description('Tags for every resource.')
param tags object

@description('Name of the virtual network.')
param vnetName string

@description('Address space of the virtual network (CIDR).')
param addressPrefix string

@description('Subnet the function app integrates with (outbound traffic); at least a /27 for Flex Consumption, /26 for Elastic Premium.')
param appSubnetPrefix string

@description('Subnet that holds the private endpoints.')
param privateEndpointSubnetPrefix string

@description('Who the app subnet is delegated to: Microsoft.App/environments for Flex Consumption, Microsoft.Web/serverFarms for Elastic Premium.')
@allowed([
  'Microsoft.App/environments'
  'Microsoft.Web/serverFarms'
])
param appSubnetDelegation string

@description('Private DNS zone names to create and link to the network, by the key the caller uses for them.')
param privateDnsZones object

// No inbound rule beyond Azure's defaults: the app subnet carries only outbound traffic and the endpoint subnet
// is reached from inside the network. The groups exist so that rules can be added without touching the subnets.
resource appNsg 'Microsoft.Network/networkSecurityGroups@2024-05-01' = {
  name: 'nsg-${vnetName}-app'
  location: location
  tags: tags
  properties: {
    securityRules: []
  }
}

resource endpointNsg 'Microsoft.Network/networkSecurityGroups@2024-05-01' = {
  name: 'nsg-${vnetName}-endpoints'
  location: location
  tags: tags
  properties: {
    securityRules: []
  }
}

resource vnet 'Microsoft.Network/virtualNetworks@2024-05-01' = {
  name: vnetName
  location: location
  tags: tags
  properties: {
    addressSpace: {
      addressPrefixes: [
        addressPrefix
      ]
    }
    subnets: [
      {
        name: 'app'
        properties: {
          addressPrefix: appSubnetPrefix
          networkSecurityGroup: {
            id: appNsg.id
          }
          delegations: [
            {
              name: 'app-delegation'
              properties: {
                serviceName: appSubnetDelegation
              }
            }
          ]
          privateEndpointNetworkPolicies: 'Disabled'
        }
      }
      {
        name: 'private-endpoints'
        properties: {
          addressPrefix: privateEndpointSubnetPrefix
          networkSecurityGroup: {
            id: endpointNsg.id
          }
          privateEndpointNetworkPolicies: 'Enabled'
        }
      }
    ]
  }

  resource appSubnet 'subnets' existing = {
    name: 'app'
  }

  resource endpointSubnet 'subnets' existing = {
    name: 'private-endpoints'
  }
}

resource zones 'Microsoft.Network/privateDnsZones@2024-06-01' = [
  for zone in items(privateDnsZones): {
    name: zone.value
    location: 'global'
    tags: tags
  }
]

resource zoneLinks 'Microsoft.Network/privateDnsZones/virtualNetworkLinks@2024-06-01' = [
  for (zone, i) in items(privateDnsZones): {
    parent: zones[i]
    name: '${vnetName}-link'
    location: 'global'
    tags: tags
    properties: {
      registrationEnabled: false
      virtualNetwork: {
        id: vnet.id
      }
    }
  }
]

@description('Resource id of the subnet the function app integrates with.')
output appSubnetId string = vnet::appSubnet.id

@description('Resource id of the subnet for private endpoints.')
output privateEndpointSubnetId string = vnet::endpointSubnet.id

@description('Resource ids of the private DNS zones, by the caller\'s key.')
output privateDnsZoneIds object = toObject(
  map(items(privateDnsZones), zone => zone.key),
  key => key,
  key => resourceId('Microsoft.Network/privateDnsZones', privateDnsZones[key])
)
