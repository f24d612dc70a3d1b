using System.Text.Json.Nodes;

namespace TokenFunction.Tests.Infra;

/// <summary>
/// The rule a redeploy follows for the app's settings (infra/modules/appsettings.bicep), evaluated by the Bicep CLI:
/// the template's settings take its values, an unset parameter removes its setting, everything else the app has is kept.
/// </summary>
public class AppSettingsMergeTests
{
    private static Dictionary<string, string?> Merge(string existing, string desired)
    {
        var result = BicepFunction.Evaluate("modules/appsettings.bicep", "mergeAppSettings", $"{existing}, {desired}") as JsonObject;
        Assert.That(result, Is.Not.Null);
        return result!.ToDictionary(p => p.Key, p => p.Value is JsonValue v && v.TryGetValue<string>(out var s) ? s : p.Value?.ToJsonString(), StringComparer.Ordinal);
    }

    [Test]
    public void ARedeployKeepsSettingsTheTemplateDoesNotOwn()
    {
        var merged = Merge(
            "{ HandAdded__Feature: 'on', WEBSITE_TIME_ZONE: 'UTC', Token__Audience: 'old' }",
            "{ Token__Audience: 'api://new' }");

        Assert.That(merged, Is.EquivalentTo(new Dictionary<string, string?>
        {
            ["HandAdded__Feature"] = "on",
            ["WEBSITE_TIME_ZONE"] = "UTC",
            ["Token__Audience"] = "api://new",
        }));
    }

    [Test]
    public void ASettingWhoseParameterIsUnsetIsRemovedSoTheAppDefaultApplies()
    {
        var merged = Merge(
            "{ Token__RefreshReuseGraceSeconds: '60', FUNCTIONS_WORKER_RUNTIME: 'dotnet-isolated', Kept: 'x' }",
            "{ Token__RefreshReuseGraceSeconds: null, FUNCTIONS_WORKER_RUNTIME: null }");

        Assert.That(merged, Is.EquivalentTo(new Dictionary<string, string?> { ["Kept"] = "x" }));
    }

    [Test]
    public void EveryValueIsWrittenAsAString()
    {
        var merged = Merge("{}", "{ Token__AccessTokenLifetimeSeconds: 600, Tables__CreateTablesIfMissing: 'false', Flag: true }");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(merged["Token__AccessTokenLifetimeSeconds"], Is.EqualTo("600"));
            Assert.That(merged["Tables__CreateTablesIfMissing"], Is.EqualTo("false"));
            Assert.That(bool.Parse(merged["Flag"]!), Is.True);
        }
    }

    [Test]
    public void AFirstDeploymentWritesOnlyTheTemplatesNonNullSettings()
    {
        var merged = Merge("{}", "{ Token__Audience: 'api://x', Token__AuthorizationEndpoint: null }");

        Assert.That(merged, Is.EquivalentTo(new Dictionary<string, string?> { ["Token__Audience"] = "api://x" }));
    }
}
