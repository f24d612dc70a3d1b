namespace TokenFunction.Tests.Infra;

public class BicepCompilationTests
{
    [Test]
    public void BuildLintAndBuildParamsReportNoDiagnostics()
    {
        var runs = CompiledInfra.Instance.Runs;

        Assert.That(runs, Has.Count.EqualTo(2 + (2 * RepoPaths.ParameterFiles.Count)));
        using (Assert.EnterMultipleScope())
        {
            foreach (var run in runs)
            {
                Assert.That(run.ExitCode, Is.Zero, run.ToString);
                Assert.That(run.Diagnostics, Is.Empty, run.ToString);
            }
        }
    }

    [Test]
    public void DevAndProdHaveParameterFilesThatCompile()
    {
        var parameterFiles = CompiledInfra.Instance.ParameterFiles;

        Assert.That(parameterFiles.Keys, Is.SupersetOf(new[] { "dev", "prod" }));
        using (Assert.EnterMultipleScope())
        {
            foreach (var (environment, json) in parameterFiles)
            {
                Assert.That(json, Does.Contain($"\"{environment}\""), $"main.{environment}.bicepparam sets environmentName");
            }
        }
    }

    [Test]
    public void TheCliIsThePinnedNuGetPackage()
    {
        var version = BicepCli.Run("--version");

        Assert.That(BicepCli.Executable, Does.Contain(Path.Combine("azure.bicep.commandline.linux-x64", BicepCli.Version)));
        Assert.That(version.ExitCode, Is.Zero, version.ToString);
    }
}
