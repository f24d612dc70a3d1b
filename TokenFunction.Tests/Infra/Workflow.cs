using YamlDotNet.RepresentationModel;

namespace TokenFunction.Tests.Infra;

/// <summary>A GitHub Actions workflow file, parsed with YamlDotNet's representation model.</summary>
internal sealed class Workflow
{
    private Workflow(string path, string text, YamlMappingNode root)
    {
        FileName = Path.GetFileName(path);
        Text = text;
        Root = root;
    }

    public string FileName { get; }

    public string Text { get; }

    public YamlMappingNode Root { get; }

    public IReadOnlyDictionary<string, YamlMappingNode> Jobs =>
        (Map(Root, "jobs")?.Children.AsEnumerable() ?? [])
            .ToDictionary(p => ((YamlScalarNode)p.Key).Value ?? string.Empty, p => (YamlMappingNode)p.Value, StringComparer.Ordinal);

    public static Workflow Load(string fileName)
    {
        var path = Path.Combine(RepoPaths.Workflows, fileName);
        var text = File.ReadAllText(path);
        var stream = new YamlStream();
        using (var reader = new StringReader(text))
        {
            stream.Load(reader);
        }

        return new Workflow(path, text, (YamlMappingNode)stream.Documents[0].RootNode);
    }

    public static IReadOnlyList<Workflow> All() =>
        [.. Directory.GetFiles(RepoPaths.Workflows, "*.yml").Concat(Directory.GetFiles(RepoPaths.Workflows, "*.yaml"))
            .Order(StringComparer.Ordinal)
            .Select(f => Load(Path.GetFileName(f)))];

    public static YamlMappingNode? Map(YamlNode? node, string key) => Child(node, key) as YamlMappingNode;

    public static string? Scalar(YamlNode? node, string key) => (Child(node, key) as YamlScalarNode)?.Value;

    public static IReadOnlyList<YamlNode> Sequence(YamlNode? node, string key) =>
        Child(node, key) is YamlSequenceNode sequence ? [.. sequence.Children] : [];

    public static IReadOnlyList<YamlMappingNode> Steps(YamlMappingNode job) => [.. Sequence(job, "steps").OfType<YamlMappingNode>()];

    /// <summary>The job's <c>id-token</c> permission, or the workflow's when the job sets no permissions.</summary>
    public string? IdTokenPermission(YamlMappingNode job) =>
        Child(job, "permissions") is not null ? Scalar(Map(job, "permissions"), "id-token") : Scalar(Map(Root, "permissions"), "id-token");

    private static YamlNode? Child(YamlNode? node, string key) =>
        node is YamlMappingNode mapping && mapping.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;
}
