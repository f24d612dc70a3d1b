using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using TokenFunction.Functions;
using TokenFunction.Storage;
using TokenFunction.Tests.Infrastructure;
using TokenFunction.Settings;

namespace TokenFunction.Tests.Scripts;

/// <summary>
/// scripts/smoke-test, the deployment workflow's smoke test, run against the service on the local host and Azurite:
/// it registers a client through tokenctl, gets a real client_credentials token, validates it against the JWKS with an
/// independent library, removes the client, and its wait for storage access is bounded.
/// </summary>
public sealed partial class SmokeTestScriptTests
{
    private const string Audience = "https://api.smoke.test";

    private static readonly string Tokenctl = RepositoryRoot.Combine("TokenCtl", "bin", RepositoryRoot.Configuration, "net10.0", "tokenctl.dll");

    private ServiceHost host = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        var port = FreePort.Next();
        host = await ServiceHost.StartAsync(
            new Dictionary<string, string?> { [SettingNames.TokenIssuer] = Issuer(port), [SettingNames.TokenAudience] = Audience },
            port: port);
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await host.DisposeAsync();

    private static string Issuer(int port) => $"http://127.0.0.1:{port}";

    private Dictionary<string, string?> Environment(string? tablesConnectionString = null, string audience = Audience)
    {
        var issuer = Issuer(host.BaseAddress.Port);
        return new()
        {
            ["TOKEN_URL"] = $"{issuer}/{Routes.Token}",
            ["JWKS_URL"] = $"{issuer}/{Routes.Jwks}",
            ["METADATA_URL"] = $"{issuer}/{Routes.Metadata}",
            ["ISSUER"] = issuer,
            ["AUDIENCE"] = audience,
            ["TOKENCTL"] = File.Exists(Tokenctl) ? $"dotnet {Tokenctl}" : null,
            [SettingNames.TablesConnectionString] = tablesConnectionString ?? TestEnvironment.Azurite.ConnectionString,
            ["HTTP_ATTEMPTS"] = "2",
            ["HTTP_RETRY_SECONDS"] = "1",
            ["RBAC_WAIT_ATTEMPTS"] = "2",
            ["RBAC_WAIT_SECONDS"] = "1",
        };
    }

    private static Task<ProcessResult> RunAsync(Dictionary<string, string?> environment) =>
        ProcessRunner.RunAsync("bash", [RepositoryRoot.Combine("scripts", "smoke-test")], environment, TimeSpan.FromMinutes(4));

    [GeneratedRegex(@"registering client (\S+)")]
    private static partial Regex RegisteredClient();

    [Test]
    public async Task SmokeTest_GetsAClientCredentialsTokenThatValidatesAgainstTheJwksAndRemovesItsClient()
    {
        var result = await RunAsync(Environment());

        var clientId = RegisteredClient().Match(result.StandardOutput).Groups[1].Value;
        var left = await host.Services.GetRequiredService<ClientStore>().FindAsync(clientId, CancellationToken.None);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.ExitCode, Is.Zero, result.StandardOutput + result.StandardError);
            Assert.That(result.StandardOutput, Does.Contain($"verify-token: valid ES256 token from {Issuer(host.BaseAddress.Port)} for {Audience}, sub {clientId}"));
            Assert.That(result.StandardOutput, Does.EndWith("smoke-test: OK\n"));
            Assert.That(clientId, Does.StartWith("smoke-test-"));
            Assert.That(left, Is.Null, "the smoke test's client is removed");
        }
    }

    [Test]
    public async Task SmokeTest_FailsWhenTheTokenIsNotForTheExpectedAudience()
    {
        var result = await RunAsync(Environment(audience: "https://another.api.test"));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.ExitCode, Is.EqualTo(1));
            Assert.That(result.StandardError, Does.Contain("verify-token: the token is not valid").And.Contain("the token does not validate against the deployed JWKS"));
        }
    }

    [Test]
    public async Task SmokeTest_WaitsForStorageAccessABoundedNumberOfTimesAndSaysWhy()
    {
        var unreachable = TestEnvironment.Azurite.ConnectionString.Replace(
            $":{TestEnvironment.Azurite.Port}/", $":{FreePort.Next().ToString(CultureInfo.InvariantCulture)}/", StringComparison.Ordinal);

        var result = await RunAsync(Environment(unreachable));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.ExitCode, Is.EqualTo(1));
            Assert.That(result.StandardOutput, Does.Contain("attempt 1 of 2").And.Contain("attempt 2 of 2").And.Not.Contain("attempt 3"));
            Assert.That(result.StandardError, Does.Contain("could not register the client within 2s").And.Contain("Storage Table Data Contributor"));
        }
    }

    [Test]
    public async Task SmokeTest_WithoutClientRegistration_ChecksTheDocumentsAndTheTokenEndpointOnly()
    {
        var environment = Environment();
        environment["SMOKE_REGISTER_CLIENT"] = "false";

        var result = await RunAsync(environment);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.ExitCode, Is.Zero, result.StandardError);
            Assert.That(result.StandardOutput, Does.Contain("an unknown client").And.Contain("no client_credentials token").And.Not.Contain("registering client"));
        }
    }
}
