namespace TokenFunction.Tests.Infra;

/// <summary>Paths in the repository the tests run from (found from the test binaries upwards).</summary>
internal static class RepoPaths
{
    private static readonly Lazy<string> LazyRoot = new(FindRoot);

    public static string Root => LazyRoot.Value;

    public static string Infra => Path.Combine(Root, "infra");

    public static string MainBicep => Path.Combine(Infra, "main.bicep");

    /// <summary>The parameters azd deploys main.bicep with (environment variables substituted).</summary>
    public static string AzdParameters => Path.Combine(Infra, "main.parameters.json");

    /// <summary>The azd project file.</summary>
    public static string AzureYaml => Path.Combine(Root, "azure.yaml");

    public static string DeployDoc => Path.Combine(Root, "docs", "deploy.md");

    public static string BicepToolProject => Path.Combine(Infra, "tools", "BicepTool.csproj");

    public static string Workflows => Path.Combine(Root, ".github", "workflows");

    /// <summary>The per-environment parameter files, infra/main.&lt;env&gt;.bicepparam.</summary>
    public static IReadOnlyList<string> ParameterFiles =>
        [.. Directory.GetFiles(Infra, "main.*.bicepparam").Order(StringComparer.Ordinal)];

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "TokenFunction.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No TokenFunction.sln above {AppContext.BaseDirectory}.");
    }
}
