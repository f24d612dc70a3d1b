using System.Text.Json;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;
using TokenFunction.Functions;
using TokenFunction.Tests.EndToEnd;
using TokenFunction.Tests.Infrastructure;
using TokenFunction.Settings;

namespace TokenFunction.Tests.Contract;

/// <summary>
/// openapi.yaml against the running service: every documented response is produced by a real request and
/// matches its schema, so the document cannot drift from the code.
/// </summary>
public sealed class OpenApiContractTests : EndToEndTest
{
    private static OpenApiDocument document = null!;

    [OneTimeSetUp]
    public async Task LoadDocumentAsync()
    {
        var settings = new OpenApiReaderSettings();
        settings.AddYamlReader();
        await using var stream = File.OpenRead(RepositoryRoot.Combine("openapi.yaml"));
        var result = await OpenApiDocument.LoadAsync(stream, "yaml", settings);
        Assert.That(result.Diagnostic?.Errors, Is.Empty, "openapi.yaml reads without errors");
        document = result.Document!;
    }

    [Test]
    public void Document_KeepsTheSeedsSchemaNamesAndFields()
    {
        var schemas = document.Components!.Schemas!;

        Assert.Multiple(() =>
        {
            Assert.That(schemas["api.AccessTokenResponse"].Properties!.Keys, Is.SupersetOf(new[] { "access_token", "expires_in", "refresh_token", "scope", "token_type" }));
            Assert.That(schemas["api.OAuthErrorResponse"].Properties!.Keys, Is.SupersetOf(new[] { "error", "error_description", "error_uri" }));
        });
    }

    [Test]
    public void Document_DescribesEveryRouteTheServiceServes()
    {
        Assert.That(document.Paths.Keys, Is.EquivalentTo(new[] { "/" + Routes.Token, "/" + Routes.Revocation, "/" + Routes.Jwks, "/" + Routes.Metadata }));
    }

    [Test]
    public async Task EveryDocumentedResponse_IsProducedAndMatchesItsSchema()
    {
        var produced = new List<string>();
        foreach (var (name, send) in Scenarios())
        {
            using var response = await send();
            var key = await CheckAsync(name, response);
            produced.Add(key);
        }

        var documented = document.Paths.SelectMany(path => path.Value.Operations!.SelectMany(op =>
            op.Value.Responses!.Keys.Select(status => $"{op.Key.Method.ToUpperInvariant()} {path.Key} {status}")));
        Assert.That(produced.Distinct(), Is.EquivalentTo(documented), "each documented status is produced by a scenario, and none is undocumented");
    }

    private static async Task<string> CheckAsync(string scenario, HttpResponseMessage response)
    {
        var request = response.RequestMessage!;
        var path = request.RequestUri!.AbsolutePath;
        var status = ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var key = $"{request.Method.Method} {path} {status}";
        Assert.That(document.Paths.TryGetValue(path, out var pathItem), Is.True, $"{scenario}: {path} is documented");
        var operation = pathItem!.Operations!.Single(o => o.Key.Method.Equals(request.Method.Method, StringComparison.OrdinalIgnoreCase)).Value;
        Assert.That(operation.Responses!.TryGetValue(status, out var documented), Is.True, $"{scenario}: {key} is documented");
        var text = await response.Content.ReadAsStringAsync();
        if (documented!.Content is null || documented.Content.Count == 0)
        {
            // A response documented without content (the revocation's 200) must send none.
            Assert.That(text, Is.Empty, $"{scenario}: {key} is documented without a body");
            return key;
        }

        var mediaType = response.Content.Headers.ContentType!.MediaType!;
        Assert.That(documented!.Content!.TryGetValue(mediaType, out var content), Is.True, $"{scenario}: {key} documents {mediaType}");

        using var body = JsonDocument.Parse(text);
        var errors = SchemaValidator.Validate(content!.Schema!, body.RootElement);
        Assert.That(errors, Is.Empty, $"{scenario}: {key} matches its schema");
        return key;
    }

    private static Dictionary<string, string> AssertionForm(string assertion) => new()
    {
        ["grant_type"] = "client_credentials",
        ["client_assertion_type"] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        ["client_assertion"] = assertion,
    };

    private IEnumerable<Scenario> Scenarios()
    {
        yield return new Scenario("code exchange", async () =>
        {
            var client = await Clients.AddConfidentialAsync();
            var code = await Clients.IssueCodeAsync(client.ClientId);
            return await PostFormAsync(CodeForm(code), basic: BasicOf(client.ClientId, client.Secret!));
        });
        yield return new Scenario("client credentials", async () =>
        {
            var client = await Clients.AddConfidentialAsync(grantTypes: new HashSet<string>(StringComparer.Ordinal) { "client_credentials" });
            return await PostFormAsync(new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["scope"] = "orders:read" }, basic: BasicOf(client.ClientId, client.Secret!));
        });
        yield return new Scenario("invalid_scope", async () =>
        {
            var client = await Clients.AddConfidentialAsync(grantTypes: new HashSet<string>(StringComparer.Ordinal) { "client_credentials" });
            return await PostFormAsync(new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["scope"] = "not-registered" }, basic: BasicOf(client.ClientId, client.Secret!));
        });
        yield return new Scenario("invalid_grant", async () =>
        {
            var client = await Clients.AddPublicAsync();
            return await PostFormAsync(CodeForm(new IssuedCode("unknown-code", TestClients.NewVerifier()), client.ClientId));
        });
        yield return new Scenario("invalid_client", () => PostFormAsync(CodeForm(new IssuedCode("c", null), "no-such-client")));
        yield return new Scenario("client credentials with private_key_jwt", async () =>
        {
            using var key = ClientKeyPair.EcP256();
            var client = await Clients.AddPrivateKeyJwtAsync(ClientKeyPair.Jwks(key), grantTypes: new HashSet<string>(StringComparer.Ordinal) { "client_credentials" });
            return await PostFormAsync(AssertionForm(key.CreateAssertion(client.ClientId, ServiceHost.Issuer, DateTimeOffset.UtcNow)));
        });
        yield return new Scenario("replayed private_key_jwt assertion", async () =>
        {
            using var key = ClientKeyPair.Rsa();
            var client = await Clients.AddPrivateKeyJwtAsync(ClientKeyPair.Jwks(key), grantTypes: new HashSet<string>(StringComparer.Ordinal) { "client_credentials" });
            var assertion = key.CreateAssertion(client.ClientId, ServiceHost.Issuer, DateTimeOffset.UtcNow);
            using var first = await PostFormAsync(AssertionForm(assertion));
            Assert.That(first.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.OK), "the first use");
            return await PostFormAsync(AssertionForm(assertion));
        });
        yield return new Scenario("GET on the token endpoint", () => Http.GetAsync(Host.TokenEndpoint));
        yield return new Scenario("storage down", async () =>
        {
            var host = await ServiceHost.StartAsync(new Dictionary<string, string?>
            {
                [SettingNames.TablesConnectionString] = TestEnvironment.Azurite.ConnectionString.Replace($":{TestEnvironment.Azurite.Port}/", $":{FreePort.Next()}/", StringComparison.Ordinal),
            });
            await using (host)
            {
                return await SendAndBufferAsync(new HttpRequestMessage(HttpMethod.Post, host.TokenEndpoint)
                {
                    Content = new FormUrlEncodedContent(CodeForm(new IssuedCode("c", null), "any-client")),
                });
            }
        });
        yield return new Scenario("signing key broken (token)", () => WithBrokenKeyAsync(async host =>
        {
            var client = await Clients.AddPublicAsync();
            var code = await Clients.IssueCodeAsync(client.ClientId);
            return new HttpRequestMessage(HttpMethod.Post, host.TokenEndpoint) { Content = new FormUrlEncodedContent(CodeForm(code, client.ClientId)) };
        }));
        yield return new Scenario("signing key broken (jwks)", () => WithBrokenKeyAsync(host => Task.FromResult(new HttpRequestMessage(HttpMethod.Get, host.JwksUri))));
        yield return new Scenario("jwks", () => Http.GetAsync(Host.JwksUri));
        yield return new Scenario("key vault too slow (jwks)", async () =>
        {
            await using var service = await KeyVaultService.StartAsync(new Dictionary<string, string?>
            {
                [KeyVaultService.Setting(nameof(SigningOptions.KeyVaultNetworkTimeoutSeconds))] = "1",
                [KeyVaultService.Setting(nameof(SigningOptions.KeyVaultMaxRetries))] = "0",
            });
            service.Vault.ResponseDelay = TimeSpan.FromSeconds(3);
            return await SendAndBufferAsync(new HttpRequestMessage(HttpMethod.Get, service.Host.JwksUri));
        });
        yield return new Scenario("revocation", async () =>
        {
            var client = await Clients.AddConfidentialAsync(grantTypes: TestClients.WithRefreshTokens);
            var code = await Clients.IssueCodeAsync(client.ClientId);
            var issued = await RedeemAsync(client, code);
            return await PostRevocationAsync(Host, new Dictionary<string, string> { ["token"] = issued.RefreshToken!, ["client_id"] = client.ClientId, ["client_secret"] = client.Secret! });
        });
        yield return new Scenario("revocation without a token", async () =>
        {
            var client = await Clients.AddPublicAsync();
            return await PostRevocationAsync(Host, new Dictionary<string, string> { ["client_id"] = client.ClientId });
        });
        yield return new Scenario("revocation by an unknown client", () => PostRevocationAsync(Host, new Dictionary<string, string> { ["token"] = "t", ["client_id"] = "no-such-client" }));
        yield return new Scenario("GET on the revocation endpoint", () => Http.GetAsync(Host.RevocationEndpoint));
        yield return new Scenario("storage down (revocation)", () => WithStorageAsync(
            TestEnvironment.Azurite.ConnectionString.Replace($":{TestEnvironment.Azurite.Port}/", $":{FreePort.Next()}/", StringComparison.Ordinal)));
        yield return new Scenario("storage refuses the account key (revocation)", () => WithStorageAsync(
            System.Text.RegularExpressions.Regex.Replace(TestEnvironment.Azurite.ConnectionString, "AccountKey=[^;]+", "AccountKey=" + Convert.ToBase64String(new byte[64]))));
        yield return new Scenario("metadata", () => Http.GetAsync(new Uri(Host.BaseAddress, "/" + Routes.Metadata)));
    }

    private async Task<HttpResponseMessage> WithBrokenKeyAsync(Func<ServiceHost, Task<HttpRequestMessage>> request)
    {
        var brokenKey = Path.Combine(Host.KeyDirectory, $"broken-{Guid.NewGuid():N}.pem");
        await File.WriteAllTextAsync(brokenKey, "not a key");
        var host = await ServiceHost.StartAsync(new Dictionary<string, string?>
        {
            [SettingNames.SigningLocalKeyPath] = brokenKey,
            [SettingNames.Of(SigningOptions.SectionName, nameof(SigningOptions.GenerateLocalKeyIfMissing))] = "false",
        });
        await using (host)
        {
            return await SendAndBufferAsync(await request(host));
        }
    }

    /// <summary>A revocation on a short-lived host whose storage connection string is <paramref name="connectionString"/>.</summary>
    private async Task<HttpResponseMessage> WithStorageAsync(string connectionString)
    {
        var host = await ServiceHost.StartAsync(new Dictionary<string, string?> { [SettingNames.TablesConnectionString] = connectionString });
        await using (host)
        {
            var response = await PostRevocationAsync(host, new Dictionary<string, string> { ["token"] = "t", ["client_id"] = "any-client" });
            await response.Content.LoadIntoBufferAsync();
            return response;
        }
    }

    private Task<HttpResponseMessage> PostRevocationAsync(ServiceHost host, Dictionary<string, string> form) =>
        Http.SendAsync(new HttpRequestMessage(HttpMethod.Post, host.RevocationEndpoint) { Content = new FormUrlEncodedContent(form) });

    /// <summary>Reads the whole response before the short-lived host stops.</summary>
    private async Task<HttpResponseMessage> SendAndBufferAsync(HttpRequestMessage request)
    {
        var response = await Http.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    private sealed record Scenario(string Name, Func<Task<HttpResponseMessage>> Send);
}
