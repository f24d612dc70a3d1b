// Key Vault (RBAC, soft delete, purge protection unless turned off for a throwaway environment) holding the token-signing key with a rotation policy.
// The app's identity is Key Vault Crypto User on the key itself, not on the vault: it can sign with and read
// this one key, and nothing else in the vault.

import { keyVaultCryptoUser } from 'roles.bicep'

@description('Azure region of the resources.')
param location string

@description('Tags for every resource.')
param tags object

@description('Name of the vault (3-24 letters, digits and hyphens).')
@minLength(3)
@maxLength(24)
param keyVaultName string

@description('Name of the signing key.')
param keyName string

@description('RSA (2048-bit, RS256) or EC (P-256, ES256).')
@allowed([
  'RSA'
  'EC'
])
param keyType string

@description('How long a key version is valid (ISO 8601 duration).')
param keyExpiry string

@description('Rotate to a new key version this long after a version is created (ISO 8601); must be at least 7 days before keyExpiry.')
param rotateAfterCreate string

@description('Emit a near-expiry event (Event Grid: KeyNearExpiry) this long before a version expires (ISO 8601). Rotation normally comes first; the event then means rotation failed.')
param notifyBeforeExpiry string

@description('Days a deleted vault or key can be recovered (7-90).')
@minValue(7)
@maxValue(90)
param softDeleteRetentionInDays int

@description('Purge protection: a deleted vault (and its key) cannot be purged before the retention ends. Cannot be turned off once on.')
param enablePurgeProtection bool

@description('Whether the vault accepts traffic from public networks (still authenticated with Entra ID); false: its private endpoint only.')
param publicNetworkAccess bool

@description('Log Analytics workspace that receives the vault\'s audit log (every sign and key read): the audit workspace, never capped.')
param auditWorkspaceId string

@description('Resource id of the app\'s managed identity (names the role assignments: known before deployment).')
param appIdentityId string

@description('Principal id of the app\'s managed identity.')
param appPrincipalId string

resource vault 'Microsoft.KeyVault/vaults@2024-11-01' = {
  name: keyVaultName
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: softDeleteRetentionInDays
    // ARM refuses false once purge protection is on: null leaves it off for a throwaway vault.
    enablePurgeProtection: enablePurgeProtection ? true : null
    enabledForDeployment: false
    enabledForDiskEncryption: false
    enabledForTemplateDeployment: false
    publicNetworkAccess: publicNetworkAccess ? 'Enabled' : 'Disabled'
    networkAcls: {
      defaultAction: publicNetworkAccess ? 'Allow' : 'Deny'
      bypass: 'AzureServices'
    }
  }
}

// Created once: ARM does not update an existing key (nor its rotation policy) on later deployments;
// change the policy with `az keyvault key rotation-policy update` (docs/deploy.md).
resource signingKey 'Microsoft.KeyVault/vaults/keys@2024-11-01' = {
  parent: vault
  name: keyName
  tags: tags
  properties: {
    kty: keyType
    keySize: keyType == 'RSA' ? 2048 : null
    curveName: keyType == 'EC' ? 'P-256' : null
    keyOps: [
      'sign'
      'verify'
    ]
    attributes: {
      enabled: true
      exportable: false
    }
    rotationPolicy: {
      attributes: {
        expiryTime: keyExpiry
      }
      lifetimeActions: [
        {
          trigger: {
            timeAfterCreate: rotateAfterCreate
          }
          action: {
            type: 'rotate'
          }
        }
        {
          trigger: {
            timeBeforeExpiry: notifyBeforeExpiry
          }
          action: {
            type: 'notify'
          }
        }
      ]
    }
  }
}

resource signWithKey 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(signingKey.id, appIdentityId, keyVaultCryptoUser)
  scope: signingKey
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultCryptoUser)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Who signed with or read the key, and when: the vault's audit log goes to the audit workspace (no daily cap), into
// its resource-specific table AZKVAuditLogs, which the Key Vault alert rule reads.
resource auditLog 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'audit-to-log-analytics'
  scope: vault
  properties: {
    workspaceId: auditWorkspaceId
    logAnalyticsDestinationType: 'Dedicated'
    logs: [
      {
        categoryGroup: 'audit'
        enabled: true
      }
    ]
  }
}

@description('Resource id of the vault (for its private endpoint).')
output keyVaultId string = vault.id

@description('Name of the vault.')
output keyVaultName string = vault.name

@description('Versionless key identifier (https://{vault}.vault.azure.net/keys/{name}): the app follows rotation by reading the current version.')
output signingKeyId string = signingKey.properties.keyUri
