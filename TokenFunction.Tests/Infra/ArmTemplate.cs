using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace TokenFunction.Tests.Infra;

/// <summary>A resource of a compiled ARM template, with the (possibly nested module) template that declares it.</summary>
internal sealed record ArmResource(JsonObject Json, JsonObject DeclaringTemplate)
{
    public string Type => (string?)Json["type"] ?? string.Empty;

    public string Name => (string?)Json["name"] ?? string.Empty;

    /// <summary>The extension-resource scope expression, or null for a resource deployed at the group.</summary>
    public string? Scope => (string?)Json["scope"];

    public JsonNode? Properties => Json["properties"];

    /// <summary>A value at a path under <c>properties</c>, e.g. <c>siteConfig.minTlsVersion</c>.</summary>
    public JsonNode? Property(string path) =>
        path.Split('.').Aggregate(Properties, (node, key) => node is JsonObject o ? o[key] : null);

    /// <summary>The expression with each <c>variables('x')</c> whose value is a literal string replaced by that literal.</summary>
    public string ResolveVariables(string expression) =>
        ArmTemplate.VariableReference().Replace(expression, match =>
            ArmTemplate.Variable(DeclaringTemplate, match.Groups[1].Value) is JsonValue value
            && value.TryGetValue<string>(out var literal) && !literal.StartsWith('[')
                ? $"'{literal}'"
                : match.Value);
}

/// <summary>Reads a compiled ARM template, including the templates of the modules nested in it.</summary>
internal sealed partial class ArmTemplate(JsonObject root)
{
    public JsonObject Root { get; } = root;

    /// <summary>Every resource, in this template and (recursively) in every nested deployment's template.</summary>
    public IEnumerable<ArmResource> Resources => ResourcesOf(Root);

    public IEnumerable<ArmResource> OfType(string type) =>
        Resources.Where(r => string.Equals(r.Type, type, StringComparison.OrdinalIgnoreCase));

    public JsonObject Outputs => Root["outputs"]?.AsObject() ?? [];

    [GeneratedRegex(@"variables\('([^']+)'\)")]
    internal static partial Regex VariableReference();

    internal static JsonNode? Variable(JsonObject template, string name) => template["variables"]?[name];

    /// <summary>
    /// The names an object-valued property sets: the keys of a literal object, or of the literal objects that an
    /// expression such as <c>union(variables('a'), variables('b'))</c> combines.
    /// </summary>
    public static IReadOnlyList<string> KeysOf(JsonNode? node, JsonObject declaringTemplate) => node switch
    {
        JsonObject literal => [.. literal.Select(p => p.Key)],
        JsonValue value when value.TryGetValue<string>(out var expression) =>
        [
            .. VariableReference().Matches(expression)
                .Select(m => Variable(declaringTemplate, m.Groups[1].Value))
                .OfType<JsonObject>()
                .SelectMany(o => o.Select(p => p.Key)),
        ],
        _ => [],
    };

    private static IEnumerable<ArmResource> ResourcesOf(JsonObject template)
    {
        // languageVersion 2.0 templates hold resources in an object keyed by symbolic name; older ones in an array.
        IEnumerable<JsonNode?> resources = template["resources"] switch
        {
            JsonArray array => array,
            JsonObject byName => byName.Select(p => p.Value),
            _ => [],
        };

        foreach (var resource in resources.OfType<JsonObject>())
        {
            yield return new ArmResource(resource, template);
            if (resource["properties"] is JsonObject properties && properties["template"] is JsonObject nested)
            {
                foreach (var inner in ResourcesOf(nested))
                {
                    yield return inner;
                }
            }
        }
    }
}
