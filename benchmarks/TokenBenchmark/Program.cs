using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TokenFunction.Clients;
using TokenFunction.Functions;
using TokenFunction.Hosting;
using TokenFunction.Protocol;
using TokenFunction.Grants;
using TokenFunction.Storage;
using TokenFunction.Settings;

// Measures the token endpoint on the local Kestrel host against a real Table Storage emulator, over loopback HTTP:
// code exchanges, then chains of refreshes (each rotation depends on the previous one, so chains run side by side),
// then client_credentials with a secret and with a private_key_jwt assertion.
// It prints figures; it asserts no target. scripts/bench starts Azurite and runs it.
var grants = Setting("BENCH_GRANTS", 200);
var refreshesPerGrant = Setting("BENCH_REFRESHES_PER_GRANT", 5);
var concurrency = Setting("BENCH_CONCURRENCY", 16);
var connectionString = Environment.GetEnvironmentVariable(SettingNames.TablesConnectionString) ?? TablesOptions.DevelopmentStorage;
var keyPath = Path.Combine(Path.GetTempPath(), $"bench-key-{Guid.NewGuid():N}.pem");

var app = LocalHost.Build([], builder =>
{
    builder.WebHost.UseUrls("http://127.0.0.1:0");
    builder.Logging.ClearProviders();
    builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
    {
        [SettingNames.ConfigurationKey(SettingNames.TokenIssuer)] = "http://localhost:8080",
        [SettingNames.ConfigurationKey(SettingNames.TokenAudience)] = "https://api.example.com",
        [SettingNames.ConfigurationKey(SettingNames.TablesConnectionString)] = connectionString,
        [SettingNames.ConfigurationKey(SettingNames.SigningLocalKeyPath)] = keyPath,
    });
});
await app.StartAsync();
try
{
    var baseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
    var tokenEndpoint = new Uri(baseAddress, "/" + Routes.Token);
    using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency });

    var clientId = $"bench-{Guid.NewGuid():N}";
    const string redirectUri = "https://bench.example/callback";
    await app.Services.GetRequiredService<ClientStore>().SaveAsync(new OAuthClient
    {
        ClientId = clientId,
        RedirectUris = [redirectUri],
        AllowedScopes = new HashSet<string>(StringComparer.Ordinal) { "api" },
        AllowedGrantTypes = new HashSet<string>(StringComparer.Ordinal) { GrantTypeNames.AuthorizationCode, GrantTypeNames.RefreshToken },
    }, replace: false, CancellationToken.None);

    var codes = app.Services.GetRequiredService<AuthorizationCodeStore>();
    var issued = new List<(string Code, string Verifier)>();
    for (var i = 0; i < grants; i++)
    {
        var verifier = System.Buffers.Text.Base64Url.EncodeToString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var code = await codes.IssueAsync(new NewAuthorizationCode(clientId, redirectUri, Pkce.ComputeS256Challenge(verifier), Pkce.S256, $"user-{i}", "api", TimeSpan.FromMinutes(10)), CancellationToken.None);
        issued.Add((code, verifier));
    }

    // Warm-up: the first request loads the key and creates the tables.
    var refreshTokens = new string[grants];
    refreshTokens[0] = await PostAsync(http, tokenEndpoint, CodeForm(clientId, issued[0]), new List<double>());
    await RunAsync("code exchange", grants - 1, concurrency, async (i, latencies) =>
        refreshTokens[i + 1] = await PostAsync(http, tokenEndpoint, CodeForm(clientId, issued[i + 1]), latencies));
    await RunAsync("refresh (rotating)", grants, concurrency, async (i, latencies) =>
    {
        for (var r = 0; r < refreshesPerGrant; r++)
        {
            refreshTokens[i] = await PostAsync(http, tokenEndpoint, new Dictionary<string, string>
            {
                ["grant_type"] = GrantTypeNames.RefreshToken,
                ["refresh_token"] = refreshTokens[i],
                ["client_id"] = clientId,
            }, latencies);
        }
    });
    // client_credentials, authenticated with a secret and with a private_key_jwt assertion (signature check + jti insert).
    var secret = ClientSecretHasher.GenerateSecret();
    var secretClient = $"bench-cc-{Guid.NewGuid():N}";
    using var clientKey = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
    var keyClient = $"bench-pkjwt-{Guid.NewGuid():N}";
    var store = app.Services.GetRequiredService<ClientStore>();
    foreach (var (id, hash, jwks) in new[] { (secretClient, ClientSecretHasher.Hash(secret), (string?)null), (keyClient, null, PublicJwks(clientKey)) })
    {
        await store.SaveAsync(new OAuthClient
        {
            ClientId = id,
            SecretHash = hash,
            Jwks = jwks,
            RedirectUris = [],
            AllowedScopes = new HashSet<string>(StringComparer.Ordinal) { "api" },
            AllowedGrantTypes = new HashSet<string>(StringComparer.Ordinal) { GrantTypeNames.ClientCredentials },
        }, replace: false, CancellationToken.None);
    }

    await RunAsync("client_credentials (client_secret_post)", grants, concurrency, async (_, latencies) =>
        await PostAsync(http, tokenEndpoint, new Dictionary<string, string>
        {
            ["grant_type"] = GrantTypeNames.ClientCredentials,
            ["client_id"] = secretClient,
            ["client_secret"] = secret,
        }, latencies));
    await RunAsync("client_credentials (private_key_jwt, ES256)", grants, concurrency, async (_, latencies) =>
        await PostAsync(http, tokenEndpoint, new Dictionary<string, string>
        {
            ["grant_type"] = GrantTypeNames.ClientCredentials,
            ["client_assertion_type"] = ClientAuthenticationMethods.JwtBearerAssertionType,
            ["client_assertion"] = Assertion(clientKey, keyClient, "http://localhost:8080"),
        }, latencies));
    Console.WriteLine($"process: working set {Environment.WorkingSet / (1024 * 1024)} MiB, managed heap {GC.GetTotalMemory(false) / (1024 * 1024)} MiB, gen2 collections {GC.CollectionCount(2)}");
}
finally
{
    await app.StopAsync();
    File.Delete(keyPath);
}

static string PublicJwks(System.Security.Cryptography.ECDsa key)
{
    var q = key.ExportParameters(includePrivateParameters: false).Q;
    return JsonSerializer.Serialize(new { keys = new[] { new { kty = "EC", crv = "P-256", x = System.Buffers.Text.Base64Url.EncodeToString(q.X), y = System.Buffers.Text.Base64Url.EncodeToString(q.Y) } } });
}

// A compact ES256 JWS by hand: the benchmark measures the service, not a client library.
static string Assertion(System.Security.Cryptography.ECDsa key, string clientId, string audience)
{
    var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
    var header = System.Buffers.Text.Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(new { alg = "ES256", typ = "JWT" }));
    var claims = System.Buffers.Text.Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(new { iss = clientId, sub = clientId, aud = audience, exp = now + 60, iat = now, jti = Guid.NewGuid().ToString() }));
    var signature = key.SignData(System.Text.Encoding.ASCII.GetBytes(header + "." + claims), System.Security.Cryptography.HashAlgorithmName.SHA256);
    return $"{header}.{claims}.{System.Buffers.Text.Base64Url.EncodeToString(signature)}";
}

static Dictionary<string, string> CodeForm(string clientId, (string Code, string Verifier) grant) => new()
{
    ["grant_type"] = GrantTypeNames.AuthorizationCode,
    ["code"] = grant.Code,
    ["redirect_uri"] = "https://bench.example/callback",
    ["code_verifier"] = grant.Verifier,
    ["client_id"] = clientId,
};

static async Task<string> PostAsync(HttpClient http, Uri endpoint, Dictionary<string, string> form, List<double> latencies)
{
    var started = Stopwatch.GetTimestamp();
    using var response = await http.PostAsync(endpoint, new FormUrlEncodedContent(form));
    var body = await response.Content.ReadAsStringAsync();
    lock (latencies)
    {
        latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    if (!response.IsSuccessStatusCode)
    {
        throw new InvalidOperationException($"{(int)response.StatusCode}: {body}");
    }

    using var json = JsonDocument.Parse(body);
    return json.RootElement.TryGetProperty(OAuthParameterNames.RefreshToken, out var refreshToken) ? refreshToken.GetString()! : string.Empty;
}

static async Task RunAsync(string name, int items, int concurrency, Func<int, List<double>, Task> work)
{
    var latencies = new List<double>();
    var next = -1;
    var clock = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
    {
        int i;
        while ((i = Interlocked.Increment(ref next)) < items)
        {
            await work(i, latencies);
        }
    }));
    clock.Stop();
    latencies.Sort();
    double Percentile(double p) => latencies[Math.Min(latencies.Count - 1, (int)(p * latencies.Count))];
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{name}: {latencies.Count} requests in {clock.Elapsed.TotalSeconds:F2} s = {latencies.Count / clock.Elapsed.TotalSeconds:F0} req/s at concurrency {concurrency}; latency p50 {Percentile(0.50):F1} ms, p95 {Percentile(0.95):F1} ms, p99 {Percentile(0.99):F1} ms"));
}

static int Setting(string name, int fallback) =>
    int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0 ? value : fallback;
