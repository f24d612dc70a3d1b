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

    /// <summary>
    /// Every resource deployed, in this template and (recursively) in every nested deployment's template. References
    /// to resources deployed elsewhere (<c>existing</c>, which symbolic-name templates list too) are not resources of it.
    /// </summary>
    public IEnumerable<ArmResource> Resources => ResourcesOf(Root);

    public IEnumerable<ArmResource> OfType(string type) =>
        Resources.Where(r => string.Equals(r.Type, type, StringComparison.OrdinalIgnoreCase));

    public JsonObject Outputs => Root["outputs"]?.AsObject() ?? [];

    [GeneratedRegex(@"variables\('([^']+)'\)")]
    internal static partial Regex VariableReference();

    [GeneratedRegex(@"parameters\('([^']+)'\)")]
    internal static partial Regex ParameterReference();

    /// <summary>The module deployment whose nested template is <paramref name="nested"/>, or null for the root template.</summary>
    public ArmResource? DeploymentOf(JsonObject nested) =>
        OfType("Microsoft.Resources/deployments").FirstOrDefault(d => ReferenceEquals(d.Json["properties"]?["template"], nested));

    /// <summary>What a module's deployment passes for one of its parameters (a literal or an expression), or null.</summary>
    public JsonNode? ArgumentOf(JsonObject nested, string parameter) =>
        DeploymentOf(nested)?.Json["properties"]?["parameters"]?[parameter]?["value"];

    /// <summary>
    /// Whether an expression in <paramref name="declaringTemplate"/> uses the root template's parameter
    /// <paramref name="rootParameter"/>, directly or through the module parameters it is passed in as.
    /// </summary>
    public bool UsesRootParameter(string expression, JsonObject declaringTemplate, string rootParameter)
    {
        var parameters = ParameterReference().Matches(expression).Select(m => m.Groups[1].Value).Distinct(StringComparer.Ordinal).ToList();
        if (ReferenceEquals(declaringTemplate, Root))
        {
            return parameters.Contains(rootParameter, StringComparer.Ordinal);
        }

        var deployment = DeploymentOf(declaringTemplate);
        return deployment is not null && parameters.Any(p =>
            ArgumentOf(declaringTemplate, p) is { } argument && UsesRootParameter(Text(argument), deployment.DeclaringTemplate, rootParameter));
    }

    /// <summary>A node as text: a string as it is, anything else as JSON without escaping quotes (ARM expressions use ').</summary>
    public static string Text(JsonNode node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text)
            ? text
            : node.ToJsonString(new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

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

        foreach (var resource in resources.OfType<JsonObject>().Where(r => (bool?)r["existing"] != true))
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
