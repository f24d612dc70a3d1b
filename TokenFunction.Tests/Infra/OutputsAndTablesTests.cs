using System.Text.Json.Nodes;

namespace TokenFunction.Tests.Infra;

public class OutputsAndTablesTests
{
    // The tables the app uses: the template must create exactly these.
    private static readonly IReadOnlyList<string> TokenTables = TokenFunction.Storage.TableNames.All;

    [TestCase("tokenEndpointUrl", "/" + TokenFunction.Functions.Routes.Token)]
    [TestCase("revocationEndpointUrl", "/" + TokenFunction.Functions.Routes.Revocation)]
    [TestCase("jwksUrl", "/" + TokenFunction.Functions.Routes.Jwks)]
    [TestCase("metadataUrl", "/" + TokenFunction.Functions.Routes.Metadata)]
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
