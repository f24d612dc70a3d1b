// One private endpoint: a resource's sub-service (blob, table, vault, ...) on an address in the network, registered
// in the private DNS zone that resolves the resource's usual host name to it.

@description('Azure region of the resources.')
param location string

@description('Tags for every resource.')
param tags object

@description('Name of the private endpoint.')
param name string

@description('Resource id of the resource the endpoint connects to.')
param resourceId string

@description('The sub-resource: blob, table, queue (storage) or vault (Key Vault).')
param groupId string

@description('Resource id of the subnet the endpoint gets its address in.')
param subnetId string

@description('Resource id of the private DNS zone for the sub-resource.')
param privateDnsZoneId string

resource endpoint 'Microsoft.Network/privateEndpoints@2024-05-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    subnet: {
      id: subnetId
    }
    privateLinkServiceConnections: [
      {
        name: name
        properties: {
          privateLinkServiceId: resourceId
          groupIds: [
            groupId
          ]
        }
      }
    ]
  }

  resource dnsZoneGroup 'privateDnsZoneGroups' = {
    name: 'default'
    properties: {
      privateDnsZoneConfigs: [
        {
          name: groupId
          properties: {
            privateDnsZoneId: privateDnsZoneId
          }
        }
      ]
    }
  }
}

@description('Resource id of the private endpoint.')
output id string = endpoint.id
