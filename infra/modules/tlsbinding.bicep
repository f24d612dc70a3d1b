// The custom domain's binding switched to SNI TLS with its managed certificate (functionapp.bicep creates the
// binding and the certificate first).

@description('Name of the function app.')
param siteName string

@description('The custom host name.')
param hostName string

@description('Thumbprint of the managed certificate issued for it.')
param thumbprint string

resource site 'Microsoft.Web/sites@2024-11-01' existing = {
  name: siteName
}

resource binding 'Microsoft.Web/sites/hostNameBindings@2024-11-01' = {
  parent: site
  name: hostName
  properties: {
    siteName: siteName
    hostNameType: 'Verified'
    customHostNameDnsRecordType: 'CName'
    sslState: 'SniEnabled'
    thumbprint: thumbprint
  }
}
