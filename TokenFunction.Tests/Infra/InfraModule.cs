using System.Text.Json.Nodes;

namespace TokenFunction.Tests.Infra;

/// <summary>A module deployment of the compiled main.bicep: what the root passes it, and its own template.</summary>
internal sealed class InfraModule(ArmResource deployment)
{
    public ArmResource Deployment { get; } = deployment;

    public JsonObject Template => Deployment.Json["properties"]?["template"]?.AsObject() ?? [];

    /// <summary>The module deployment named <paramref name="name"/>, anywhere in the compiled template.</summary>
    public static InfraModule Named(string name) =>
        new(CompiledInfra.Instance.Template.OfType("Microsoft.Resources/deployments").Single(d => d.Name == name));

    /// <summary>What the deployment passes for one of the module's parameters, as text (a literal or an expression).</summary>
    public string Argument(string parameter) =>
        Deployment.Json["properties"]?["parameters"]?[parameter]?["value"] is { } value ? ArmTemplate.Text(value) : string.Empty;

    public JsonNode? Variable(string name) => Template["variables"]?[name];

    /// <summary>The module's own resources (not those of modules nested in it), by type.</summary>
    public IReadOnlyList<ArmResource> Resources(string type) =>
    [
        .. CompiledInfra.Instance.Template.OfType(type).Where(r => ReferenceEquals(r.DeclaringTemplate, Template)),
    ];

    /// <summary>The root template's default of one of its parameters.</summary>
    public static JsonNode? RootDefault(string parameter) => CompiledInfra.Instance.Template.Root["parameters"]?[parameter]?["defaultValue"];

    /// <summary>What a parameter file (dev, prod) sets a root parameter to.</summary>
    public static JsonNode? ParameterFileValue(string environment, string parameter) =>
        JsonNode.Parse(CompiledInfra.Instance.ParameterFiles[environment])?["parameters"]?[parameter]?["value"];
}
