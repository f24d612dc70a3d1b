using System.Text.Json.Nodes;

namespace TokenFunction.Tests.Infra;

public class OutputsAndTablesTests
{
    // LEAD: replace these literals with TableNames.Clients and TableNames.Grants once
    // TokenFunction/Storage/TableNames.cs exists (and keep infra/main.bicep's tableNames in step with it).
    private static readonly string[] TokenTables = ["OAuthClients", "OAuthGrants"];

    [TestCase("tokenEndpointUrl", "/api/v1/oauth/token")]
    [TestCase("jwksUrl", "/.well-known/jwks.json")]
    [TestCase("metadataUrl", "/.well-known/oauth-authorization-server")]
    public void DeploymentOutputsTheServiceUrls(string output, string route)
    {
        var value = CompiledInfra.Instance.Template.Outputs[output]?["value"]?.ToString();

        Assert.That(value, Does.StartWith("[format('https://").Or.Contain("'https://"));
        Assert.That(value, Does.Contain(route + "'"));
    }

    [Test]
    public void DeploymentOutputsTheIdentityPrincipalId()
    {
        var value = CompiledInfra.Instance.Template.Outputs["identityPrincipalId"]?["value"]?.ToString();

        Assert.That(value, Does.Contain("Microsoft.ManagedIdentity/userAssignedIdentities").And.Contain("principalId"));
    }

    [Test]
    public void TheTokenTablesAreCreatedByTheDeployment()
    {
        var template = CompiledInfra.Instance.Template;
        var literals = Strings(template.Root).ToHashSet(StringComparer.Ordinal);

        Assert.That(template.OfType("Microsoft.Storage/storageAccounts/tableServices/tables").ToList(), Is.Not.Empty);
        Assert.That(literals, Is.SupersetOf(TokenTables));
    }

    private static IEnumerable<string> Strings(JsonNode? node) => node switch
    {
        JsonObject o => o.SelectMany(p => Strings(p.Value)),
        JsonArray a => a.SelectMany(Strings),
        JsonValue v when v.TryGetValue<string>(out var s) => [s],
        _ => [],
    };
}
