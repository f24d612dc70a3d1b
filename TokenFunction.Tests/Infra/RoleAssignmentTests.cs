using System.Text.RegularExpressions;

namespace TokenFunction.Tests.Infra;

public partial class RoleAssignmentTests
{
    // Built-in role definition ids, as documented at
    // https://learn.microsoft.com/azure/role-based-access-control/built-in-roles (the same in every tenant).
    private const string KeyVaultCryptoUser = "12338af0-0e69-4776-bea7-57ae8d297424";
    private const string StorageBlobDataOwner = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b";
    private const string StorageTableDataContributor = "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3";
    private const string MonitoringMetricsPublisher = "3913510d-42f4-4e42-8a64-420c390055eb";

    /// <summary>The resource types each role may be scoped to: the tightest scopes Azure supports for what the app does.</summary>
    private static readonly Dictionary<string, string[]> AllowedScopes = new(StringComparer.OrdinalIgnoreCase)
    {
        [KeyVaultCryptoUser] = ["Microsoft.KeyVault/vaults/keys"],
        [StorageBlobDataOwner] = ["Microsoft.Storage/storageAccounts", "Microsoft.Storage/storageAccounts/blobServices/containers"],
        [StorageTableDataContributor] = ["Microsoft.Storage/storageAccounts", "Microsoft.Storage/storageAccounts/tableServices", "Microsoft.Storage/storageAccounts/tableServices/tables"],
        [MonitoringMetricsPublisher] = ["Microsoft.Insights/components"],
    };

    private static List<(string Role, string ScopeType)> Assignments() =>
    [
        .. CompiledInfra.Instance.Template.OfType("Microsoft.Authorization/roleAssignments").Select(a =>
        {
            var roleDefinition = a.ResolveVariables(a.Property("roleDefinitionId")?.ToString() ?? string.Empty);
            var role = Guid().Match(roleDefinition).Value;
            var scopeType = a.Scope is null ? "(resource group)" : ScopeResourceType().Match(a.Scope).Groups[1].Value;
            return (role, scopeType);
        }),
    ];

    [GeneratedRegex("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")]
    private static partial Regex Guid();

    [GeneratedRegex(@"^\[resourceId\('([^']+)'")]
    private static partial Regex ScopeResourceType();

    [Test]
    public void KeyVaultCryptoUserIsGrantedOnTheSigningKeyNotTheVault()
    {
        var onKeyVault = Assignments().Where(a => a.Role == KeyVaultCryptoUser).ToList();

        Assert.That(onKeyVault, Has.Count.EqualTo(1));
        Assert.That(onKeyVault[0].ScopeType, Is.EqualTo("Microsoft.KeyVault/vaults/keys"));
    }

    [Test]
    public void TheAppGetsTheStorageAndTelemetryRolesItNeeds() =>
        Assert.That(Assignments().Select(a => a.Role),
            Is.SupersetOf(new[] { KeyVaultCryptoUser, StorageBlobDataOwner, StorageTableDataContributor, MonitoringMetricsPublisher }));

    [Test]
    public void EveryRoleAssignmentIsAKnownDataRoleOnItsResourceNeverTheGroup()
    {
        var assignments = Assignments();

        Assert.That(assignments, Is.Not.Empty);
        using (Assert.EnterMultipleScope())
        {
            foreach (var (role, scopeType) in assignments)
            {
                Assert.That(AllowedScopes, Does.ContainKey(role), $"role {role} is not one the app needs");
                Assert.That(AllowedScopes.GetValueOrDefault(role, []), Does.Contain(scopeType), $"role {role} scoped to {scopeType}");
            }
        }
    }
}
