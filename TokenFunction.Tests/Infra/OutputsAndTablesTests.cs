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
    public void DeploymentOutputsTheServiceUrlsAsTheMetadataPublishesThemFromTheIssuer(string output, string route)
    {
        var value = CompiledInfra.Instance.Template.Outputs[output]?["value"]?.ToString();

        Assert.That(value, Does.StartWith($"[format('{{0}}{route}', ").And.Contain("reference('functionApp').outputs.issuer.value"));
    }

    [Test]
    public void TheIssuerIsTheParameterOrHttpsWithTheCustomDomainOrTheDefaultHostName()
    {
        var template = CompiledInfra.Instance.Template;
        var issuer = template.OfType("Microsoft.Resources/deployments").Single(d => d.Name == "functionApp")
            .Property("template.outputs.issuer.value")?.ToString();

        Assert.That(issuer, Is.EqualTo("[if(not(empty(parameters('issuer'))), parameters('issuer'), format('https://{0}', if(variables('hasCustomDomain'), parameters('customDomainName'), reference('site').defaultHostName)))]"));
    }

    [Test]
    public void DeploymentOutputsTheIdentityPrincipalId()
    {
        var template = CompiledInfra.Instance.Template;
        var value = template.Outputs["identityPrincipalId"]?["value"]?.ToString();

        Assert.That(value, Is.EqualTo("[reference('appIdentity').principalId]"));
        Assert.That((string?)template.Root["resources"]?["appIdentity"]?["type"], Is.EqualTo("Microsoft.ManagedIdentity/userAssignedIdentities"));
    }

    [Test]
    public void ACustomDomainGetsABindingAManagedCertificateAndThenSniTls()
    {
        var template = CompiledInfra.Instance.Template;
        var bindings = template.OfType("Microsoft.Web/sites/hostNameBindings").ToList();
        var certificate = template.OfType("Microsoft.Web/certificates").Single();

        Assert.That(bindings, Has.Count.EqualTo(2));
        using (Assert.EnterMultipleScope())
        {
            Assert.That((string?)bindings[0].Json["condition"], Is.EqualTo("[variables('hasCustomDomain')]"));
            Assert.That((string?)bindings[0].Property("sslState"), Is.EqualTo("Disabled"), "bound first, so that App Service can check the DNS records");
            Assert.That((string?)certificate.Json["condition"], Is.EqualTo("[variables('hasCustomDomain')]"));
            Assert.That(certificate.Property("canonicalName")?.ToString(), Is.EqualTo("[parameters('customDomainName')]"));
            Assert.That(certificate.Property("serverFarmId")?.ToString(), Does.Contain("Microsoft.Web/serverfarms"));
            Assert.That((string?)bindings[1].Property("sslState"), Is.EqualTo("SniEnabled"));
            Assert.That(bindings[1].Property("thumbprint")?.ToString(), Is.EqualTo("[parameters('thumbprint')]"));
            Assert.That(template.OfType("Microsoft.Resources/deployments").Single(d => d.Name == "tlsBinding").Json["properties"]?["parameters"]?["thumbprint"]?["value"]?.ToString(),
                Is.EqualTo("[reference('managedCertificate').thumbprint]"));
        }
    }

    [Test]
    public void TheTokenTablesAreCreatedByTheDeployment()
    {
        var template = CompiledInfra.Instance.Template;
        var literals = Strings(template.Root).ToHashSet(StringComparer.Ordinal);

        Assert.That(template.OfType("Microsoft.Storage/storageAccounts/tableServices/tables").ToList(), Is.Not.Empty);
        Assert.That(literals, Is.SupersetOf(TokenTables));
    }

    [Test]
    public void TheDeployerMayWriteEveryTableThatClientRemovalWrites()
    {
        // tokenctl client remove revokes the client's grants (grants, grant index) and indexes them for the purge.
        var deployerTables = CompiledInfra.Instance.Template.Root["variables"]?["deployerTableNames"]?.AsArray()
            .Select(n => (string?)n).ToList();

        Assert.That(deployerTables, Is.EquivalentTo(new[]
        {
            TokenFunction.Storage.TableNames.Clients, TokenFunction.Storage.TableNames.GrantIndex,
            TokenFunction.Storage.TableNames.Grants, TokenFunction.Storage.TableNames.Expiry,
        }));
    }

    private static IEnumerable<string> Strings(JsonNode? node) => node switch
    {
        JsonObject o => o.SelectMany(p => Strings(p.Value)),
        JsonArray a => a.SelectMany(Strings),
        JsonValue v when v.TryGetValue<string>(out var s) => [s],
        _ => [],
    };
}
