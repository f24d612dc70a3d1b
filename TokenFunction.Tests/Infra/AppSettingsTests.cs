using System.Text.RegularExpressions;
using TokenFunction.Hosting;
using TokenFunction.Settings;

namespace TokenFunction.Tests.Infra;

public class AppSettingsTests
{
    private static IReadOnlyDictionary<string, TemplateSetting> Settings => AppSettingsInTemplate.Of(CompiledInfra.Instance.Template);

    private static ArmResource Config => CompiledInfra.Instance.Template.OfType("Microsoft.Web/sites/config").Single();

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
        var written = new[] { infra.TemplateText, File.ReadAllText(RepoPaths.AzdParameters) }.Concat(infra.ParameterFiles.Values)
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
    public void TheSettingsWrittenAreTheExistingOnesMergedWithTheTemplatesAndAdditionalAppSettingsWins()
    {
        var expression = Config.Properties?.ToString() ?? string.Empty;
        var merge = Regex.Match(expression, @"^\[__bicep\.mergeAppSettings\(list\(format\('\{0\}/config/appsettings', resourceId\('Microsoft\.Web/sites', parameters\('functionAppName'\)\)\), '[0-9-]+'\)\.properties, union\((?<owned>.*)\)\)\]$");

        Assert.That(merge.Success, Is.True, expression);
        Assert.That(merge.Groups["owned"].Value, Does.EndWith(", parameters('additionalAppSettings')"), "merged last, so it wins");
    }

    [Test]
    public void FlexConsumptionOwnsButRemovesTheSettingsItRejectsWhileElasticPremiumSetsThem()
    {
        // Flex Consumption takes the runtime from functionAppConfig and refuses FUNCTIONS_WORKER_RUNTIME and
        // FUNCTIONS_EXTENSION_VERSION; Elastic Premium needs them. On Flex the template owns them with null values,
        // so that the merge removes them after a switch from Elastic Premium.
        string[] premiumOnly = ["FUNCTIONS_WORKER_RUNTIME", "FUNCTIONS_EXTENSION_VERSION"];
        var expression = Config.Properties?.ToString() ?? string.Empty;
        var choice = Regex.Match(expression, @"if\(variables\('isFlex'\), variables\('(\w+)'\), variables\('(\w+)'\)\)");
        var variables = Config.DeclaringTemplate["variables"];

        Assert.That(choice.Success, Is.True, expression);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(ArmTemplate.KeysOf(variables?[choice.Groups[2].Value], Config.DeclaringTemplate), Is.SupersetOf(premiumOnly));
            Assert.That(variables?[choice.Groups[1].Value]?.ToString(), Does.Contain($"variables('{choice.Groups[2].Value}')").And.Contain("null()"));
        }
    }

    [Test]
    public void TablesAreReachedThroughTheEndpointAndNeverCreatedByTheApp()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Settings, Does.ContainKey(SettingNames.TablesServiceUri));
            Assert.That(Settings, Does.Not.ContainKey(SettingNames.TablesConnectionString));
            Assert.That(Settings.GetValueOrDefault(SettingNames.TablesCreateTablesIfMissing)?.Value, Is.EqualTo("false"));
        }
    }

    [Test]
    public void TheAppAndTheHostUseTheUserAssignedIdentity()
    {
        var template = CompiledInfra.Instance.Template;
        var hostClientId = Settings.GetValueOrDefault("AzureWebJobsStorage__clientId");

        Assert.That(hostClientId, Is.Not.Null);
        var hostClientIdParameter = ArmTemplate.ParameterReference().Match(hostClientId!.Value).Groups[1].Value;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Settings.GetValueOrDefault(SettingNames.IdentityManagedIdentityClientId)?.Value, Does.Contain("reference('appIdentity').clientId"));
            Assert.That(template.ArgumentOf(hostClientId.DeclaringTemplate, hostClientIdParameter)?.ToString(), Does.Contain("reference('appIdentity').clientId"));
            Assert.That(Settings.GetValueOrDefault("AzureWebJobsStorage__credential")?.Value, Is.EqualTo("managedidentity"));
            Assert.That(Settings, Does.ContainKey("AzureWebJobsStorage__accountName"));
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
            Assert.That(Settings.GetValueOrDefault("APPLICATIONINSIGHTS_AUTHENTICATION_STRING")?.Value, Does.Contain("Authorization=AAD"));
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

    [Test]
    public void CorsOriginsComeFromOneParameterForThePlatformAndTheAppAndNeverAllowCredentials()
    {
        var template = CompiledInfra.Instance.Template;
        var site = template.OfType("Microsoft.Web/sites").Single();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(template.UsesRootParameter(site.Property("siteConfig.cors.allowedOrigins")?.ToString() ?? string.Empty, site.DeclaringTemplate, "corsAllowedOrigins"), Is.True);
            Assert.That((bool?)site.Property("siteConfig.cors.supportCredentials"), Is.False);
            Assert.That(Settings.GetValueOrDefault(SettingNames.CorsAllowedOrigins)?.Value, Does.Contain("join(parameters('corsAllowedOrigins'), ',')"));
        }
    }

    [Test]
    public void NoParameterFileAllowsAWildcardOrigin()
    {
        using (Assert.EnterMultipleScope())
        {
            foreach (var (environment, json) in CompiledInfra.Instance.ParameterFiles)
            {
                var origins = System.Text.Json.Nodes.JsonNode.Parse(json)?["parameters"]?["corsAllowedOrigins"]?["value"]?.AsArray().Select(o => (string?)o) ?? [];
                foreach (var origin in origins)
                {
                    var result = new CorsOptionsValidator().Validate(null, new CorsOptions { AllowedOrigins = origin });
                    Assert.That(result.Succeeded, Is.True, $"main.{environment}.bicepparam: {result.FailureMessage}");
                }
            }
        }
    }
}
