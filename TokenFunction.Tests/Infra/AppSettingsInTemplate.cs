using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using TokenFunction.Hosting;

namespace TokenFunction.Tests.Infra;

/// <summary>The app settings a compiled template sets on the function app, and checks of them against the app.</summary>
internal static class AppSettingsInTemplate
{
    /// <summary>
    /// Every setting the template can set (name to value expression): the <c>Microsoft.Web/sites/config</c>
    /// <c>appsettings</c> resources, and any <c>siteConfig.appSettings</c> on a site. Settings set only on one
    /// hosting plan are included.
    /// </summary>
    public static IReadOnlyDictionary<string, string?> Of(ArmTemplate template)
    {
        var settings = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var config in template.OfType("Microsoft.Web/sites/config")
                     .Where(r => r.Name.Contains("appsettings", StringComparison.OrdinalIgnoreCase)))
        {
            var objects = config.Properties switch
            {
                JsonObject literal => [literal],
                JsonValue value when value.TryGetValue<string>(out var expression) =>
                    ArmTemplate.VariableReference().Matches(expression)
                        .Select(m => ArmTemplate.Variable(config.DeclaringTemplate, m.Groups[1].Value))
                        .OfType<JsonObject>()
                        .ToList(),
                _ => [],
            };
            foreach (var (name, value) in objects.SelectMany(o => o))
            {
                settings[name] = value?.ToString();
            }
        }

        foreach (var site in template.OfType("Microsoft.Web/sites"))
        {
            foreach (var entry in (site.Property("siteConfig.appSettings") as JsonArray ?? []).OfType<JsonObject>())
            {
                if ((string?)entry["name"] is { } name)
                {
                    settings[name] = entry["value"]?.ToString();
                }
            }
        }

        return settings;
    }

    /// <summary>The configuration sections the app binds (Token, Tables, Signing, Identity), from <see cref="SettingNames.All"/>.</summary>
    public static IReadOnlySet<string> AppSections { get; } =
        SettingNames.All.Select(SectionOf).ToHashSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Names under one of the app's sections (matched ignoring case, as configuration binding does) that are not
    /// exactly a setting the app has: a misspelt or stale setting the app would silently ignore.
    /// </summary>
    public static IReadOnlyList<string> UnknownAppSettings(IEnumerable<string> names, IEnumerable<string> known)
    {
        var knownSet = known.ToHashSet(StringComparer.Ordinal);
        return [.. names.Where(n => IsUnderAppSection(n) && !knownSet.Contains(n))
                         .Distinct(StringComparer.Ordinal)
                         .Order(StringComparer.Ordinal)];
    }

    /// <summary>Whether a setting is <c>Section__Name</c> with one of the app's sections (ignoring case).</summary>
    public static bool IsUnderAppSection(string name) =>
        name.Contains(SettingNames.Separator, StringComparison.Ordinal) && AppSections.Contains(SectionOf(name));

    /// <summary>Every <c>Section__Name</c> under one of the app's sections written anywhere in a text (a template, a parameter file).</summary>
    public static IReadOnlyList<string> AppSettingNamesWrittenIn(string text)
    {
        var sections = string.Join('|', AppSections.Select(Regex.Escape));
        return [.. Regex.Matches(text, $@"\b(?i:{sections}){Regex.Escape(SettingNames.Separator)}[A-Za-z0-9_]+")
                    .Select(m => m.Value)
                    .Distinct(StringComparer.Ordinal)];
    }

    private static string SectionOf(string name)
    {
        var separator = name.IndexOf(SettingNames.Separator, StringComparison.Ordinal);
        return separator < 0 ? name : name[..separator];
    }
}
