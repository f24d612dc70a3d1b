using System.Diagnostics;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace TokenFunction.Tests.Infra;

/// <summary>One run of the Bicep CLI: its exit code, what it printed, and the diagnostics in it.</summary>
internal sealed record BicepRun(string Command, int ExitCode, string StandardError, IReadOnlyList<string> Diagnostics)
{
    public override string ToString() =>
        $"bicep {Command} exited {ExitCode}; {Diagnostics.Count} diagnostic(s){Environment.NewLine}{StandardError}";
}

/// <summary>
/// The Bicep CLI from the NuGet package pinned in infra/tools/BicepTool.csproj (the same one scripts/bicep-build
/// uses), restored into the NuGet cache when missing, so the tests need no step run before them.
/// </summary>
internal static partial class BicepCli
{
    private const string PackageId = "azure.bicep.commandline.linux-x64";
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);
    private static readonly Lazy<string> LazyExecutable = new(Locate);

    public static string Executable => LazyExecutable.Value;

    public static string Version =>
        XDocument.Load(RepoPaths.BicepToolProject).Descendants("BicepVersion").Single().Value.Trim();

    public static BicepRun Run(params string[] arguments)
    {
        var (exitCode, _, standardError) = Execute(Executable, RepoPaths.Root, arguments);
        var diagnostics = standardError
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(line => DiagnosticLine().IsMatch(line))
            .ToList();
        return new BicepRun(string.Join(' ', arguments), exitCode, standardError, diagnostics);
    }

    /// <summary>A Bicep diagnostic: <c>path(line,col) : Warning code: message</c>.</summary>
    [GeneratedRegex(@"\(\d+,\d+\) : (Error|Warning|Info) ")]
    private static partial Regex DiagnosticLine();

    private static string Locate()
    {
        var executable = Path.Combine(GlobalPackagesFolder(), PackageId, Version, "tools", "bicep");
        if (!File.Exists(executable))
        {
            var (exitCode, output, error) = Execute("dotnet", RepoPaths.Root, "restore", RepoPaths.BicepToolProject, "--nologo");
            if (exitCode != 0 || !File.Exists(executable))
            {
                throw new InvalidOperationException($"Restoring the Bicep CLI failed ({exitCode}):\n{output}\n{error}");
            }
        }

        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(executable, File.GetUnixFileMode(executable) | UnixFileMode.UserExecute);
        }

        return executable;
    }

    private static string GlobalPackagesFolder()
    {
        var configured = Environment.GetEnvironmentVariable("NUGET_PACKAGES");
        if (!string.IsNullOrEmpty(configured))
        {
            return configured;
        }

        var (_, output, _) = Execute("dotnet", RepoPaths.Root, "nuget", "locals", "global-packages", "--list");
        const string prefix = "global-packages:";
        var line = output.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
        return line is not null
            ? line[prefix.Length..].Trim()
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
    }

    private static (int ExitCode, string Output, string Error) Execute(string fileName, string workingDirectory, params string[] arguments)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', arguments)} ran longer than {Timeout}.");
        }

        process.WaitForExit();
        return (process.ExitCode, output.GetAwaiter().GetResult(), error.GetAwaiter().GetResult());
    }
}
