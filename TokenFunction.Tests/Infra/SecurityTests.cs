using System.Text.Json.Nodes;

namespace TokenFunction.Tests.Infra;

public class SecurityTests
{
    private static ArmTemplate Template => CompiledInfra.Instance.Template;

    private static JsonNode? ProdParameter(string name) =>
        JsonNode.Parse(CompiledInfra.Instance.ParameterFiles["prod"])?["parameters"]?[name]?["value"];

    private static ArmResource Single(string type)
    {
        var resources = Template.OfType(type).ToList();
        Assert.That(resources, Has.Count.EqualTo(1), type);
        return resources[0];
    }

    [TestCase("listKeys(")]
    [TestCase("listAccountSas(")]
    [TestCase("listServiceSas(")]
    [TestCase("listConnectionStrings(")]
    [TestCase("listSecrets(")]
    [TestCase("AccountKey=")]
    [TestCase("SharedAccessSignature")]
    [TestCase("SharedAccessKey")]
    [TestCase("DefaultEndpointsProtocol")]
    [TestCase("sig=")]
    [TestCase("client_secret")]
    [TestCase("securestring")]
    public void NoKeyConnectionStringSasOrSecretAppearsInTheTemplateOrParameters(string forbidden)
    {
        var infra = CompiledInfra.Instance;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(infra.TemplateText, Does.Not.Contain(forbidden).IgnoreCase, "main.bicep");
            foreach (var (environment, json) in infra.ParameterFiles)
            {
                Assert.That(json, Does.Not.Contain(forbidden).IgnoreCase, $"main.{environment}.bicepparam");
            }
        }
    }

    [Test]
    public void StorageAccountRefusesSharedKeysAndPlainHttp()
    {
        var storage = Single("Microsoft.Storage/storageAccounts");

        using (Assert.EnterMultipleScope())
        {
            Assert.That((bool?)storage.Property("allowSharedKeyAccess"), Is.False);
            Assert.That((bool?)storage.Property("allowBlobPublicAccess"), Is.False);
            Assert.That((bool?)storage.Property("supportsHttpsTrafficOnly"), Is.True);
            Assert.That((string?)storage.Property("minimumTlsVersion"), Is.EqualTo("TLS1_2"));
        }
    }

    [Test]
    public void FunctionAppIsHttpsOnlyWithTls12AndNoFtp()
    {
        var site = Single("Microsoft.Web/sites");

        using (Assert.EnterMultipleScope())
        {
            Assert.That((bool?)site.Property("httpsOnly"), Is.True);
            Assert.That((string?)site.Property("siteConfig.minTlsVersion"), Is.EqualTo("1.2"));
            Assert.That((string?)site.Property("siteConfig.scmMinTlsVersion"), Is.EqualTo("1.2"));
            Assert.That((string?)site.Property("siteConfig.ftpsState"), Is.EqualTo("Disabled"));
        }
    }

    [TestCase("ftp")]
    [TestCase("scm")]
    public void BasicPublishingCredentialsAreOff(string policy)
    {
        var policies = Template.OfType("Microsoft.Web/sites/basicPublishingCredentialsPolicies")
            .Where(p => p.Name.EndsWith($"'{policy}')]", StringComparison.Ordinal) || p.Name.EndsWith($"/{policy}", StringComparison.Ordinal))
            .ToList();

        Assert.That(policies, Has.Count.EqualTo(1));
        Assert.That((bool?)policies[0].Property("allow"), Is.False);
    }

    [Test]
    public void FunctionAppIsLinuxDotnetIsolated10RunningAsTheUserAssignedIdentity()
    {
        var site = Single("Microsoft.Web/sites");
        var flexConfig = site.Property("functionAppConfig")?.ToString() ?? string.Empty;
        var premiumStack = site.Property("siteConfig.linuxFxVersion")?.ToString() ?? string.Empty;

        using (Assert.EnterMultipleScope())
        {
            Assert.That((string?)site.Json["kind"], Does.Contain("linux"));
            Assert.That((string?)site.Json["identity"]?["type"], Is.EqualTo("UserAssigned"));
            Assert.That(flexConfig, Does.Contain("'dotnet-isolated'").And.Contain("'10.0'"));
            Assert.That(flexConfig, Does.Contain("'UserAssignedIdentity'"), "deployment container reached with the identity");
            Assert.That(premiumStack, Does.Contain("DOTNET-ISOLATED|10.0"));
        }
    }

    [Test]
    public void FlexConsumptionIsTheDefaultPlan()
    {
        var planSku = Template.Root["parameters"]?["planSku"];

        Assert.That((string?)planSku?["defaultValue"], Is.EqualTo("FC1"));
        Assert.That(planSku?["allowedValues"]?.AsArray().Select(v => (string?)v), Does.Contain("EP1"));
    }

    [Test]
    public void KeyVaultUsesRbacSoftDeleteAndPurgeProtection()
    {
        var vault = Single("Microsoft.KeyVault/vaults");

        using (Assert.EnterMultipleScope())
        {
            Assert.That((bool?)vault.Property("enableRbacAuthorization"), Is.True);
            Assert.That((bool?)vault.Property("enableSoftDelete"), Is.True);
            // On by default and in production; a throwaway environment may leave it off (null: ARM refuses false once on).
            Assert.That(vault.Property("enablePurgeProtection")?.ToString(), Is.EqualTo("[if(parameters('enablePurgeProtection'), true(), null())]"));
            Assert.That((bool?)Template.Root["parameters"]?["keyVaultEnablePurgeProtection"]?["defaultValue"], Is.True);
            Assert.That((bool?)ProdParameter("keyVaultEnablePurgeProtection"), Is.True);
            Assert.That((bool?)vault.Property("enabledForTemplateDeployment"), Is.Not.True);
        }
    }

    [Test]
    public void StorageRedundancyIsAParameterAndZoneRedundantInProduction()
    {
        var storage = Single("Microsoft.Storage/storageAccounts");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(storage.Json["sku"]?["name"]?.ToString(), Is.EqualTo("[parameters('skuName')]"));
            Assert.That(Template.Root["parameters"]?["storageSkuName"]?["allowedValues"]?.AsArray().Select(v => (string?)v), Does.Contain("Standard_ZRS").And.Contain("Standard_LRS"));
            Assert.That((string?)ProdParameter("storageSkuName"), Is.EqualTo("Standard_ZRS"));
        }
    }

    [Test]
    public void SigningKeyIsRsa2048ByDefaultOrEcP256AndOnlySigns()
    {
        var key = Single("Microsoft.KeyVault/vaults/keys");
        var keyType = Template.Root["parameters"]?["signingKeyType"];

        using (Assert.EnterMultipleScope())
        {
            Assert.That((string?)keyType?["defaultValue"], Is.EqualTo("RSA"));
            Assert.That(keyType?["allowedValues"]?.AsArray().Select(v => (string?)v), Is.EquivalentTo(new[] { "RSA", "EC" }));
            Assert.That(key.Property("keySize")?.ToString(), Does.Contain("2048"));
            Assert.That(key.Property("curveName")?.ToString(), Does.Contain("'P-256'"));
            Assert.That(key.Property("keyOps")?.AsArray().Select(o => (string?)o), Is.EquivalentTo(new[] { "sign", "verify" }));
            Assert.That((bool?)key.Property("attributes.exportable"), Is.False);
        }
    }

    [Test]
    public void SigningKeyRotatesBeforeItExpiresAndNotifies()
    {
        var key = Single("Microsoft.KeyVault/vaults/keys");
        var actions = (key.Property("rotationPolicy.lifetimeActions") as JsonArray ?? []).OfType<JsonObject>().ToList();
        var rotate = actions.SingleOrDefault(a => (string?)a["action"]?["type"] == "rotate");
        var notify = actions.SingleOrDefault(a => (string?)a["action"]?["type"] == "notify");
        var parameters = Template.Root["parameters"];

        using (Assert.EnterMultipleScope())
        {
            Assert.That(key.Property("rotationPolicy.attributes.expiryTime"), Is.Not.Null);
            Assert.That(rotate?["trigger"]?["timeAfterCreate"] ?? rotate?["trigger"]?["timeBeforeExpiry"], Is.Not.Null);
            Assert.That(notify?["trigger"]?["timeBeforeExpiry"], Is.Not.Null);
            // The defaults rotate a month before expiry: P11M after creation of a P1Y key.
            Assert.That((string?)parameters?["signingKeyExpiry"]?["defaultValue"], Is.EqualTo("P1Y"));
            Assert.That((string?)parameters?["signingKeyRotateAfterCreate"]?["defaultValue"], Is.EqualTo("P11M"));
        }
    }
}
