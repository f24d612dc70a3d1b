using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using TokenFunction.Settings;

namespace TokenFunction.Tests.Infra;

/// <summary>A setting the template writes: its value expression and the template that declares that expression.</summary>
internal sealed record TemplateSetting(string Value, JsonObject DeclaringTemplate);

/// <summary>The app settings a compiled template sets on the function app, and checks of them against the app.</summary>
internal static partial class AppSettingsInTemplate
{
    /// <summary>
    /// Every setting the template owns (name to value expression): the keys of the objects that the
    /// <c>Microsoft.Web/sites/config</c> <c>appsettings</c> expression combines, followed through variables, through
    /// the module parameters they are passed in as, and <c>createObject('Name', ...)</c>. Settings set only on one
    /// hosting plan, and settings owned with a null value (removed), are included.
    /// </summary>
    public static IReadOnlyDictionary<string, TemplateSetting> Of(ArmTemplate template)
    {
        var settings = new Dictionary<string, TemplateSetting>(StringComparer.Ordinal);
        foreach (var config in template.OfType("Microsoft.Web/sites/config")
                     .Where(r => r.Name.Contains("appsettings", StringComparison.OrdinalIgnoreCase)))
        {
            Collect(template, config.Properties, config.DeclaringTemplate, settings, []);
        }

        return settings;
    }

    private static void Collect(ArmTemplate template, JsonNode? node, JsonObject declaring, Dictionary<string, TemplateSetting> settings, HashSet<string> visited)
    {
        switch (node)
        {
            case JsonObject literal:
                foreach (var (name, value) in literal)
                {
                    settings[name] = new TemplateSetting(value?.ToString() ?? "null", declaring);
                }

                break;
            case JsonValue value when value.TryGetValue<string>(out var expression):
                foreach (Match created in CreateObjectKey().Matches(expression))
                {
                    settings[created.Groups[1].Value] = new TemplateSetting(expression, declaring);
                }

                foreach (var variable in ArmTemplate.VariableReference().Matches(expression).Select(m => m.Groups[1].Value))
                {
                    if (visited.Add($"{declaring.GetHashCode()}:v:{variable}"))
                    {
                        Collect(template, ArmTemplate.Variable(declaring, variable), declaring, settings, visited);
                    }
                }

                var deployment = template.DeploymentOf(declaring);
                foreach (var parameter in ArmTemplate.ParameterReference().Matches(expression).Select(m => m.Groups[1].Value))
                {
                    if (deployment is not null && visited.Add($"{declaring.GetHashCode()}:p:{parameter}"))
                    {
                        Collect(template, template.ArgumentOf(declaring, parameter), deployment.DeclaringTemplate, settings, visited);
                    }
                }

                break;
        }
    }

    [GeneratedRegex(@"createObject\('([A-Za-z0-9_]+)'")]
    private static partial Regex CreateObjectKey();

    /// <summary>The configuration sections the app binds (Token, Tables, Signing, Identity, ...), from <see cref="SettingNames.All"/>.</summary>
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
