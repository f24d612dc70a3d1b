using System.Text.RegularExpressions;
using TokenFunction.Hosting;

namespace TokenFunction.Tests.Infra;

public class AppSettingsTests
{
    private static IReadOnlyDictionary<string, string?> Settings => AppSettingsInTemplate.Of(CompiledInfra.Instance.Template);

    [Test]
    public void TemplateSetsEverySettingTheAppRequiresInAzure() =>
        Assert.That(Settings.Keys, Is.SupersetOf(SettingNames.RequiredInAzure));

    [Test]
    public void EveryAppSettingTheTemplateSetsUnderAnAppSectionIsOneTheAppKnows()
    {
        Assert.That(Settings.Keys.Where(AppSettingsInTemplate.IsUnderAppSection), Is.Not.Empty);
        Assert.That(AppSettingsInTemplate.UnknownAppSettings(Settings.Keys, SettingNames.All), Is.Empty);
    }

    [Test]
    public void NoAppSettingNameWrittenInTheTemplateOrParameterFilesIsUnknownToTheApp()
    {
        var infra = CompiledInfra.Instance;
        var written = new[] { infra.TemplateText }.Concat(infra.ParameterFiles.Values)
            .SelectMany(AppSettingsInTemplate.AppSettingNamesWrittenIn)
            .ToList();

        Assert.That(written, Is.SupersetOf(SettingNames.RequiredInAzure));
        Assert.That(AppSettingsInTemplate.UnknownAppSettings(written, SettingNames.All), Is.Empty);
    }

    [Test]
    public void DriftCheckReportsMisspeltAndWronglyCasedSettingsButNotHostOrKnownOnes()
    {
        string[] names = ["Token__Isuer", "tables__ServiceUri", "Signing__KeyVaultKeyId", "AzureWebJobsStorage__accountName", "FUNCTIONS_WORKER_RUNTIME"];

        var unknown = AppSettingsInTemplate.UnknownAppSettings(names, SettingNames.All);

        Assert.That(unknown, Is.EqualTo(new[] { "Token__Isuer", "tables__ServiceUri" }));
    }

    [Test]
    public void DriftCheckFindsSettingNamesWrittenAnywhereInAText()
    {
        var written = AppSettingsInTemplate.AppSettingNamesWrittenIn("{\"Signing__KeyRefreshSecs\": \"[parameters('x')]\", \"name\": \"Identity__ClientId\"}");

        Assert.That(written, Is.EquivalentTo(new[] { "Signing__KeyRefreshSecs", "Identity__ClientId" }));
    }

    [Test]
    public void FlexConsumptionGetsNoSettingItRejectsButElasticPremiumGetsItsRuntime()
    {
        // Flex Consumption takes the runtime from functionAppConfig and refuses FUNCTIONS_WORKER_RUNTIME and
        // FUNCTIONS_EXTENSION_VERSION; Elastic Premium needs them. So they may come only from the variable that the
        // appsettings expression adds when the plan is not Flex.
        string[] premiumOnly = ["FUNCTIONS_WORKER_RUNTIME", "FUNCTIONS_EXTENSION_VERSION"];
        var config = CompiledInfra.Instance.Template.OfType("Microsoft.Web/sites/config").Single();
        var expression = config.Properties?.ToString() ?? string.Empty;
        var conditional = Regex.Match(expression, @"if\(variables\('isFlex'\), createObject\(\), variables\('(\w+)'\)\)");
        var unconditional = ArmTemplate.VariableReference().Matches(expression)
            .Select(m => m.Groups[1].Value)
            .Where(v => v != conditional.Groups[1].Value)
            .SelectMany(v => ArmTemplate.KeysOf(config.DeclaringTemplate["variables"]?[v], config.DeclaringTemplate))
            .ToList();

        Assert.That(conditional.Success, Is.True, expression);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(ArmTemplate.KeysOf(config.DeclaringTemplate["variables"]?[conditional.Groups[1].Value], config.DeclaringTemplate), Is.SupersetOf(premiumOnly));
            Assert.That(unconditional, Does.Contain(SettingNames.TokenIssuer));
            Assert.That(unconditional.Intersect(premiumOnly), Is.Empty);
        }
    }

    [Test]
    public void TablesAreReachedThroughTheEndpointAndNeverCreatedByTheApp()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Settings, Does.ContainKey(SettingNames.TablesServiceUri));
            Assert.That(Settings, Does.Not.ContainKey(SettingNames.TablesConnectionString));
            Assert.That(Settings.GetValueOrDefault(SettingNames.TablesCreateTablesIfMissing), Is.EqualTo("false"));
        }
    }

    [Test]
    public void TheAppAndTheHostUseTheUserAssignedIdentity()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Settings, Does.ContainKey(SettingNames.IdentityManagedIdentityClientId));
            Assert.That(Settings.GetValueOrDefault("AzureWebJobsStorage__credential"), Is.EqualTo("managedidentity"));
            Assert.That(Settings, Does.ContainKey("AzureWebJobsStorage__accountName"));
            Assert.That(Settings.GetValueOrDefault("AzureWebJobsStorage__clientId"),
                Is.EqualTo(Settings.GetValueOrDefault(SettingNames.IdentityManagedIdentityClientId)));
            Assert.That(Settings, Does.Not.ContainKey("AzureWebJobsStorage"), "a connection string with a key");
        }
    }

    [Test]
    public void TelemetryIsSentWithTheIdentityAndApplicationInsightsRefusesLocalAuth()
    {
        var components = CompiledInfra.Instance.Template.OfType("Microsoft.Insights/components").ToList();

        Assert.That(components, Has.Count.EqualTo(1));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Settings.GetValueOrDefault("APPLICATIONINSIGHTS_AUTHENTICATION_STRING"), Does.Contain("Authorization=AAD"));
            Assert.That(Settings, Does.ContainKey("APPLICATIONINSIGHTS_CONNECTION_STRING"));
            Assert.That((bool?)components[0].Property("DisableLocalAuth"), Is.True);
            Assert.That((string?)components[0].Property("WorkspaceResourceId"), Is.Not.Null.And.Not.Empty);
        }
    }

    [Test]
    public void SigningKeyIdIsTheVersionlessKeyUri()
    {
        var infra = CompiledInfra.Instance;
        var keyModuleOutput = infra.Template.OfType("Microsoft.Resources/deployments")
            .Select(d => d.Property("template.outputs.signingKeyId.value")?.ToString())
            .Single(v => v is not null);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Settings, Does.ContainKey(SettingNames.SigningKeyVaultKeyId));
            Assert.That(keyModuleOutput, Does.Contain(".keyUri"));
            Assert.That(infra.TemplateText, Does.Not.Contain("keyUriWithVersion"));
        }
    }
}
