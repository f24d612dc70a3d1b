using System.Diagnostics;
using System.Text;

namespace TokenFunction.Tests.Infrastructure;

/// <summary>
/// The real Table Storage emulator (Azurite, from the repository's package.json), started on a free loopback
/// port with in-memory persistence for one test run and stopped after it.
/// </summary>
public sealed class AzuriteServer : IAsyncDisposable
{
    // Azurite's published development account: a well-known value, not a secret.
    private const string AccountName = "devstoreaccount1";
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly Process process;
    private readonly StringBuilder output;

    private AzuriteServer(Process process, StringBuilder output, int port)
    {
        this.process = process;
        this.output = output;
        Port = port;
    }

    public int Port { get; }

    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};TableEndpoint=http://127.0.0.1:{Port}/{AccountName};";

    public static async Task<AzuriteServer> StartAsync()
    {
        var script = RepositoryRoot.Combine("node_modules", "azurite", "dist", "src", "table", "main.js");
        if (!File.Exists(script))
        {
            throw new InvalidOperationException($"Azurite is not installed ({script} is missing): run 'npm ci' at the repository root, as scripts/test does.");
        }

        var port = FreePort.Next();
        var start = new ProcessStartInfo("node")
        {
            ArgumentList = { script, "--tableHost", "127.0.0.1", "--tablePort", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--inMemoryPersistence", "--skipApiVersionCheck", "--silent" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var output = new StringBuilder();
        var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start.");
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new AzuriteServer(process, output, port);
        await FreePort.WaitUntilListeningAsync(port, TimeSpan.FromSeconds(30), server.Diagnostics);
        return server;
    }

    public string Diagnostics()
    {
        lock (output)
        {
            return $"azurite exited={process.HasExited}; output: {output}";
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
    }
}
