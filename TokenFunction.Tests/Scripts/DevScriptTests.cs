using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using TokenFunction.Tests.Infrastructure;

namespace TokenFunction.Tests.Scripts;

/// <summary>
/// scripts/dev as a developer runs it: it starts the blob and queue emulators func start needs besides tables, it
/// serves, and the curl it prints redeems a code for a valid JWT; it refuses a port that another server would answer on.
/// </summary>
public sealed class DevScriptTests
{
    [Test]
    public async Task DevScript_StartsBlobAndQueueEmulatorsAndPrintsACurlThatReturnsAJwtValidAgainstTheJwks()
    {
        // Three different ports: were the service's the same as an emulator's, the emulator would answer the curl.
        var ports = FreePort.Distinct(3);
        var (port, blobPort, queuePort) = (ports[0], ports[1], ports[2]);
        var environment = new Dictionary<string, string?>
        {
            ["TOKEN_DEV_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            // The emulator the tests already run answers there, so the script uses it instead of starting one.
            ["AZURITE_TABLE_PORT"] = TestEnvironment.Azurite.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["AZURITE_BLOB_PORT"] = blobPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["AZURITE_QUEUE_PORT"] = queuePort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Signing__LocalKeyPath"] = Path.Combine(Path.GetTempPath(), $"dev-script-{Guid.NewGuid():N}.pem"),
        };
        using var dev = ProcessRunner.Start("bash", [RepositoryRoot.Combine("scripts", "dev")], environment);
        var errors = dev.StandardError.ReadToEndAsync();
        try
        {
            var curl = await ReadCurlLineAsync(dev, errors, TimeSpan.FromMinutes(4));
            var drained = dev.StandardOutput.ReadToEndAsync();

            var result = await ProcessRunner.RunAsync("bash", ["-c", curl], new Dictionary<string, string?>(), TimeSpan.FromMinutes(1));

            Assert.That(result.ExitCode, Is.EqualTo(0), result.StandardError);
            Assert.That(result.StandardOutput, Does.StartWith("{"), $"{curl}\nanswered: {result.StandardOutput}");
            using var body = JsonDocument.Parse(result.StandardOutput);
            var token = body.RootElement.GetProperty("access_token").GetString()!;
            using var http = new HttpClient();
            var validation = await JwtValidation.ValidateAsync(http, new Uri($"http://localhost:{port}/.well-known/jwks.json"), token,
                issuer: $"http://localhost:{port}", audience: "https://api.example.com");
            Assert.That(validation.IsValid, Is.True, validation.Exception?.Message);

            // The Functions host's storage: Azurite's blob and queue services answer on the ports given.
            Assert.That(await ServerOfAsync(http, blobPort), Does.StartWith("Azurite-Blob/"));
            Assert.That(await ServerOfAsync(http, queuePort), Does.StartWith("Azurite-Queue/"));
        }
        finally
        {
            dev.Kill(entireProcessTree: true);
            await dev.WaitForExitAsync();
            File.Delete(environment["Signing__LocalKeyPath"]!);
        }
    }

    [TestCase("127.0.0.1")]
    [TestCase("::1")]
    public async Task DevScript_RefusesAServicePortInUseOnEitherLoopbackInsteadOfPrintingACurlThatAnotherServerWouldAnswer(string loopback)
    {
        using var occupant = new TcpListener(IPAddress.Parse(loopback), 0);
        occupant.Start();
        var port = ((IPEndPoint)occupant.LocalEndpoint).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

        var result = await ProcessRunner.RunAsync("bash", [RepositoryRoot.Combine("scripts", "dev")],
            new Dictionary<string, string?> { ["TOKEN_DEV_PORT"] = port }, TimeSpan.FromMinutes(1));

        Assert.That(result.ExitCode, Is.EqualTo(1), result.StandardOutput);
        Assert.That(result.StandardError, Does.Contain($"Port {port} is in use"));
        Assert.That(result.StandardOutput, Does.Not.Contain("curl "));
    }

    [Test]
    public async Task DevScript_RefusesAServicePortThatIsAnEmulatorsPort()
    {
        var port = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture);

        var result = await ProcessRunner.RunAsync("bash", [RepositoryRoot.Combine("scripts", "dev")],
            new Dictionary<string, string?> { ["TOKEN_DEV_PORT"] = port, ["AZURITE_BLOB_PORT"] = port }, TimeSpan.FromMinutes(1));

        Assert.That(result.ExitCode, Is.EqualTo(1), result.StandardOutput);
        Assert.That(result.StandardError, Does.Contain($"TOKEN_DEV_PORT ({port}) is an emulator's port"));
    }

    private static async Task<string> ServerOfAsync(HttpClient http, int port)
    {
        using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/devstoreaccount1?comp=list"));
        return response.Headers.Server.ToString();
    }

    private static async Task<string> ReadCurlLineAsync(Process dev, Task<string> errors, TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        var seen = new System.Text.StringBuilder();
        while (await dev.StandardOutput.ReadLineAsync(cancellation.Token) is { } line)
        {
            seen.AppendLine(line);
            if (line.StartsWith("curl ", StringComparison.Ordinal))
            {
                return line;
            }
        }

        Assert.Fail($"scripts/dev ended without printing a curl. It printed:\n{seen}\n{await errors}");
        return string.Empty;
    }
}
