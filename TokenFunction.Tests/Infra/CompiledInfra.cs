using System.Text.Json.Nodes;

namespace TokenFunction.Tests.Infra;

/// <summary>
/// infra/ compiled once per test run into a temporary folder: the ARM template of main.bicep, the ARM parameter
/// file of each .bicepparam, and every Bicep run with its diagnostics. Nothing is assumed to have run before.
/// </summary>
internal sealed class CompiledInfra
{
    private static readonly Lazy<CompiledInfra> LazyInstance = new(Compile);
    private static string? outputFolder;

    private CompiledInfra(IReadOnlyList<BicepRun> runs, string templateText, JsonObject template, IReadOnlyDictionary<string, string> parameterFiles)
    {
        Runs = runs;
        TemplateText = templateText;
        Template = new ArmTemplate(template);
        ParameterFiles = parameterFiles;
    }

    public static CompiledInfra Instance => LazyInstance.Value;

    /// <summary>Every Bicep command run: build, lint, build-params and lint of each parameter file.</summary>
    public IReadOnlyList<BicepRun> Runs { get; }

    /// <summary>The compiled main.bicep, as text.</summary>
    public string TemplateText { get; }

    public ArmTemplate Template { get; }

    /// <summary>Compiled parameter files by environment name (dev, prod, ...), as text.</summary>
    public IReadOnlyDictionary<string, string> ParameterFiles { get; }

    public static void DeleteOutput()
    {
        if (outputFolder is not null && Directory.Exists(outputFolder))
        {
            Directory.Delete(outputFolder, recursive: true);
        }
    }

    private static CompiledInfra Compile()
    {
        outputFolder = Directory.CreateTempSubdirectory("tokenfunction-infra-").FullName;
        var mainJson = Path.Combine(outputFolder, "main.json");

        var runs = new List<BicepRun>
        {
            BicepCli.Run("build", RepoPaths.MainBicep, "--outfile", mainJson),
            BicepCli.Run("lint", "--pattern", "infra/**/*.bicep"),
        };

        var parameterFiles = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var bicepparam in RepoPaths.ParameterFiles)
        {
            var environment = Path.GetFileNameWithoutExtension(bicepparam)["main.".Length..];
            var json = Path.Combine(outputFolder, $"main.{environment}.parameters.json");
            runs.Add(BicepCli.Run("build-params", bicepparam, "--outfile", json));
            runs.Add(BicepCli.Run("lint", bicepparam));
            parameterFiles[environment] = File.Exists(json) ? File.ReadAllText(json) : string.Empty;
        }

        var templateText = File.Exists(mainJson) ? File.ReadAllText(mainJson) : "{}";
        var template = JsonNode.Parse(templateText)?.AsObject() ?? [];
        return new CompiledInfra(runs, templateText, template, parameterFiles);
    }
}

[SetUpFixture]
public sealed class CompiledInfraCleanup
{
    [OneTimeTearDown]
    public void DeleteCompiledOutput() => CompiledInfra.DeleteOutput();
}
