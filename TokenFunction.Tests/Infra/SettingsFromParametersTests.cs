using System.Text.RegularExpressions;
using TokenFunction.Settings;

namespace TokenFunction.Tests.Infra;

/// <summary>
/// Every setting the app reads (SettingNames.All, so a setting added to an options class is caught here) is
/// settable from a parameter of main.bicep, and docs/deploy.md says which: a typed parameter, the template itself,
/// <c>additionalAppSettings</c>, or not in Azure. The table and the template must agree.
/// </summary>
public partial class SettingsFromParametersTests
{
    private const string Additional = "additionalAppSettings";

    private static ArmTemplate Template => CompiledInfra.Instance.Template;

    private static IReadOnlyDictionary<string, TemplateSetting> Owned => AppSettingsInTemplate.Of(Template);

    /// <summary>The rows of docs/deploy.md's settings table: setting name to what sets it.</summary>
    private static Dictionary<string, string> DocumentedRows() =>
        SettingRow().Matches(File.ReadAllText(RepoPaths.DeployDoc))
            .ToDictionary(m => m.Groups["setting"].Value, m => m.Groups["how"].Value.Trim(), StringComparer.Ordinal);

    [GeneratedRegex(@"^\| `(?<setting>[A-Za-z0-9]+__[A-Za-z0-9_]+)` \| (?<how>[^|]+) \|", RegexOptions.Multiline)]
    private static partial Regex SettingRow();

    [GeneratedRegex(@"^parameter `(?<parameter>[A-Za-z0-9]+)`")]
    private static partial Regex ByParameter();

    [Test]
    public void DocsDeployMdSaysHowEverySettingOfTheAppIsSetAndNamesNoOther()
    {
        var rows = DocumentedRows();

        using (Assert.EnterMultipleScope())
        {
            foreach (var setting in SettingNames.All)
            {
                Assert.That(rows, Does.ContainKey(setting),
                    $"{setting} is a setting of the app: add a row to the settings table in docs/deploy.md (\"parameter `name`\" with a typed parameter in main.bicep, or \"`{Additional}`\", or \"not in Azure\")");
            }

            Assert.That(rows.Keys, Is.SubsetOf(SettingNames.All), "docs/deploy.md lists a setting the app does not have");
        }
    }

    [Test]
    public void ASettingDocumentedAsAParameterIsSetByTheTemplateFromThatParameter()
    {
        var byParameter = DocumentedRows()
            .Select(r => (Setting: r.Key, Match: ByParameter().Match(r.Value)))
            .Where(r => r.Match.Success)
            .ToList();

        Assert.That(byParameter.Select(r => r.Setting), Is.SupersetOf(new[]
        {
            SettingNames.TokenIssuer, SettingNames.TokenAudience, SettingNames.TokenAuthorizationEndpoint,
            SettingNames.TokenAccessTokenLifetimeSeconds, SettingNames.TokenRefreshTokenIdleLifetimeSeconds,
            SettingNames.TokenRefreshTokenAbsoluteLifetimeSeconds, SettingNames.TokenRefreshReuseGraceSeconds,
            SettingNames.CorsAllowedOrigins,
        }));
        using (Assert.EnterMultipleScope())
        {
            foreach (var (setting, match) in byParameter)
            {
                var parameter = match.Groups["parameter"].Value;
                Assert.That(Template.Root["parameters"]?[parameter], Is.Not.Null, $"{setting}: main.bicep has no parameter {parameter}");
                Assert.That(Owned, Does.ContainKey(setting), $"{setting}: the template does not set it");
                if (Owned.TryGetValue(setting, out var value))
                {
                    Assert.That(Template.UsesRootParameter(value.Value, value.DeclaringTemplate, parameter), Is.True, $"{setting} = {value.Value} does not come from {parameter}");
                }
            }
        }
    }

    [Test]
    public void ASettingDocumentedAsSetByTheTemplateIsSetByIt()
    {
        var derived = DocumentedRows().Where(r => r.Value.StartsWith("the template", StringComparison.Ordinal)).Select(r => r.Key).ToList();

        Assert.That(derived, Is.SupersetOf(SettingNames.RequiredInAzure.Except([SettingNames.TokenIssuer, SettingNames.TokenAudience])));
        Assert.That(Owned.Keys, Is.SupersetOf(derived));
    }

    [Test]
    public void ASettingDocumentedAsAdditionalOrNotInAzureIsNotOwnedByTheTemplate()
    {
        var notOwned = DocumentedRows()
            .Where(r => r.Value.StartsWith($"`{Additional}`", StringComparison.Ordinal) || r.Value.StartsWith("not in Azure", StringComparison.Ordinal))
            .Select(r => r.Key)
            .ToList();

        Assert.That(notOwned, Does.Contain(SettingNames.TablesConnectionString).And.Contain(SettingNames.Of(SigningOptions.SectionName, nameof(SigningOptions.KeyRefreshSeconds))));
        Assert.That(Owned.Keys.Intersect(notOwned), Is.Empty, "a setting the template owns would overwrite what additionalAppSettings sets only if merged before it");
    }

    [Test]
    public void EveryRowIsOneOfTheFourWays()
    {
        var rows = DocumentedRows();

        Assert.That(rows, Is.Not.Empty);
        using (Assert.EnterMultipleScope())
        {
            foreach (var (setting, how) in rows)
            {
                Assert.That(ByParameter().IsMatch(how) || how.StartsWith("the template", StringComparison.Ordinal)
                    || how.StartsWith($"`{Additional}`", StringComparison.Ordinal) || how.StartsWith("not in Azure", StringComparison.Ordinal),
                    Is.True, $"{setting}: '{how}'");
            }
        }
    }

    [Test]
    public void AdditionalAppSettingsIsAnObjectParameterMergedLast()
    {
        var parameter = Template.Root["parameters"]?[Additional];
        var config = Template.OfType("Microsoft.Web/sites/config").Single();

        using (Assert.EnterMultipleScope())
        {
            Assert.That((string?)parameter?["type"], Is.EqualTo("object"));
            Assert.That(config.Properties?.ToString(), Does.EndWith($"parameters('{Additional}')))]"));
            Assert.That(Template.ArgumentOf(config.DeclaringTemplate, Additional)?.ToString(), Is.EqualTo($"[parameters('{Additional}')]"));
        }
    }
}
