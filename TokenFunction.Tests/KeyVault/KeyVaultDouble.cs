// TEST DOUBLE of the Azure Key Vault keys data plane, for tests only: it is not Key Vault and proves nothing about it
// beyond the documented contract it imitates. It follows the Key Vault REST API 2025-07-01 reference pages
// "Keys - Get Key" (GET /keys/{name}[/{version}]), "Keys - Get Key Versions" (GET /keys/{name}/versions, paged with
// nextLink), "Keys - Sign" (POST /keys/{name}/{version}/sign, {alg, value} = base64url digest -> {kid, value}),
// the Key Vault error body ({"error":{"code","message","innererror"}}), and Key Vault's challenge-based
// authentication (an unauthenticated request gets 401 with
// WWW-Authenticate: Bearer authorization="https://login.../{tenant}", resource="https://vault...").
// It serves HTTPS on 127.0.0.1 (random port) with a self-signed certificate that only the test's transport trusts.
using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Serialization;
using Azure.Core.Pipeline;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace TokenFunction.Tests.KeyVault;

internal sealed class KeyVaultDouble : IAsyncDisposable
{
    public const string AccessToken = "test-access-token-for-the-key-vault-double";
    public const string VaultHost = "tokentest.vault.localhost";
    public const string TenantId = "00000000-0000-4000-8000-00000000feed";
    public const string ApiVersion = "2025-07-01";

    private static readonly JsonSerializerOptions s_json = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly TimeProvider _clock;
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, List<VersionRecord>> _keys = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _requests = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<(int Status, string? RetryAfter)> _signFaults = new();
    private readonly ConcurrentQueue<long> _signArrivals = new();

    private KeyVaultDouble(TimeProvider clock, X509Certificate2 certificate)
    {
        _clock = clock;
        Certificate = certificate;
        WebApplicationBuilder builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(certificate)));
        _app = builder.Build();
        _app.Use(AuthenticateAsync);
        _app.MapGet("/keys/{name}/versions", ListVersions);
        _app.MapGet("/keys/{name}", (string name) => GetKey(name, null));
        _app.MapGet("/keys/{name}/{version}", (string name, string version) => GetKey(name, version));
        _app.MapPost("/keys/{name}/{version}/sign", SignAsync);
    }

    public X509Certificate2 Certificate { get; }

    public int Port { get; private set; }

    public Uri VaultUri => new($"https://{VaultHost}:{Port}/");

    /// <summary>The <c>resource</c> of the 401 challenge; a vault's own domain by default.</summary>
    public string ChallengeResource { get; set; } = "https://vault.localhost";

    /// <summary>Versions per page of the version list, so that nextLink is followed.</summary>
    public int PageSize { get; set; } = 1;

    /// <summary>Answers every authenticated request with 403 (no data-plane role).</summary>
    public bool Forbidden { get; set; }

    /// <summary>Delays every authenticated request (a slow vault); aborted requests end early.</summary>
    public TimeSpan ResponseDelay { get; set; }

    /// <summary>Returns signatures one byte short (a misbehaving service the client must catch).</summary>
    public bool TruncateSignatures { get; set; }

    /// <summary>When set, version-list nextLinks point at this authority instead of the vault's.</summary>
    public string? NextLinkAuthority { get; set; }

    /// <summary>Unauthenticated requests that carried a body (the client must not send one before the challenge).</summary>
    public int UnauthenticatedBodies => Count("unauthenticated-body");

    public static async Task<KeyVaultDouble> StartAsync(TimeProvider clock)
    {
        var vault = new KeyVaultDouble(clock, CreateCertificate());
        await vault._app.StartAsync().ConfigureAwait(false);
        string address = vault._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        vault.Port = new Uri(address).Port;
        return vault;
    }

    /// <summary>
    /// A transport that trusts exactly this double's certificate and nothing else, and that reaches the vault's
    /// host name (<see cref="VaultHost"/>, not in DNS) on 127.0.0.1, so that the client sees a vault-like domain.
    /// </summary>
    public HttpClientTransport CreateTransport()
    {
        byte[] pinned = Certificate.RawData;
        int port = Port;
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                if (!string.Equals(context.DnsEndPoint.Host, VaultHost, StringComparison.OrdinalIgnoreCase))
                {
                    throw new HttpRequestException($"The test transport only reaches {VaultHost}, not {context.DnsEndPoint.Host}.");
                }

                var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken).ConfigureAwait(false);
                    return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
            SslOptions = new System.Net.Security.SslClientAuthenticationOptions
            {
                // Pins the one self-signed certificate of this double (the test's only trust decision).
                RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null && certificate.GetRawCertData().AsSpan().SequenceEqual(pinned),
            },
        };
        return new HttpClientTransport(handler);
    }

    public int Count(string kind) => _requests.TryGetValue(kind, out int count) ? count : 0;

    /// <summary>Authenticated requests of every kind.</summary>
    public int Total => Count("get-key") + Count("list-versions") + Count("sign");

    public void ResetCounts()
    {
        _requests.Clear();
        _signArrivals.Clear();
    }

    /// <summary>Stopwatch timestamps at which sign requests arrived.</summary>
    public IReadOnlyList<long> SignArrivals => [.. _signArrivals];

    public void EnqueueSignFault(int status, string? retryAfter = null) => _signFaults.Enqueue((status, retryAfter));

    public string AddRsaVersion(string name, int bits = 2048) => Add(name, RSA.Create(bits), "RSA");

    public string AddEcVersion(string name, ECCurve curve) => Add(name, ECDsa.Create(curve), "EC");

    public void SetEnabled(string name, string version, bool enabled)
    {
        lock (_keys[name])
        {
            _keys[name].Single(v => v.Version == version).Enabled = enabled;
        }
    }

    public void SetExpires(string name, string version, DateTimeOffset expires)
    {
        lock (_keys[name])
        {
            _keys[name].Single(v => v.Version == version).Expires = expires.ToUnixTimeSeconds();
        }
    }

    private string Add(string name, AsymmetricAlgorithm key, string keyType)
    {
        string version = Guid.NewGuid().ToString("N");
        List<VersionRecord> versions = _keys.GetOrAdd(name, _ => []);
        lock (versions)
        {
            versions.Add(new VersionRecord(version, key, keyType) { Created = _clock.GetUtcNow().ToUnixTimeSeconds() });
        }

        return version;
    }

    private async Task AuthenticateAsync(HttpContext context, RequestDelegate next)
    {
        if (context.Request.Query["api-version"] != ApiVersion)
        {
            await WriteErrorAsync(context, 400, "BadParameter", $"The api-version must be {ApiVersion}.").ConfigureAwait(false);
            return;
        }

        if (context.Request.Headers.Authorization != "Bearer " + AccessToken)
        {
            Increment("challenge");
            if (context.Request.ContentLength > 0)
            {
                Increment("unauthenticated-body");
            }

            context.Response.Headers.WWWAuthenticate = $"Bearer authorization=\"https://login.localhost/{TenantId}\", resource=\"{ChallengeResource}\"";
            await WriteErrorAsync(context, 401, "Unauthorized", "AKV10000: Request is missing a Bearer or PoP token.").ConfigureAwait(false);
            return;
        }

        string kind = context.Request.Method == "POST" ? "sign" : context.Request.Path.Value!.EndsWith("/versions", StringComparison.Ordinal) ? "list-versions" : "get-key";
        Increment(kind);
        if (kind == "sign")
        {
            _signArrivals.Enqueue(Stopwatch.GetTimestamp());
        }

        if (ResponseDelay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(ResponseDelay, context.RequestAborted).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        if (Forbidden)
        {
            await WriteErrorAsync(context, 403, "Forbidden",
                "Caller is not authorized to perform action on resource. Action: 'Microsoft.KeyVault/vaults/keys/sign/action'.", "ForbiddenByRbac").ConfigureAwait(false);
            return;
        }

        await next(context).ConfigureAwait(false);
    }

    private IResult GetKey(string name, string? version)
    {
        if (!_keys.TryGetValue(name, out List<VersionRecord>? versions))
        {
            return Error(404, "KeyNotFound", $"A key with (name/id) {name} was not found in this key vault.");
        }

        lock (versions)
        {
            VersionRecord? record = version is null ? versions.LastOrDefault() : versions.SingleOrDefault(v => v.Version == version);
            return record is null
                ? Error(404, "KeyNotFound", $"A key with (name/id) {name}/{version} was not found in this key vault.")
                : Results.Json(new { key = record.Jwk(KeyId(name, record.Version)), attributes = record.Attributes() }, s_json);
        }
    }

    private IResult ListVersions(string name, HttpRequest request)
    {
        if (!_keys.TryGetValue(name, out List<VersionRecord>? versions))
        {
            return Error(404, "KeyNotFound", $"A key with (name/id) {name} was not found in this key vault.");
        }

        int skip = int.TryParse(request.Query["$skiptoken"], out int s) ? s : 0;
        lock (versions)
        {
            var page = versions.Skip(skip).Take(PageSize).Select(v => new { kid = KeyId(name, v.Version), attributes = v.Attributes() }).ToList();
            string? nextLink = skip + PageSize < versions.Count ? $"{(NextLinkAuthority is null ? VaultUri.ToString() : $"https://{NextLinkAuthority}/")}keys/{name}/versions?api-version={ApiVersion}&$skiptoken={skip + PageSize}" : null;
            return Results.Json(new { value = page, nextLink }, s_json);
        }
    }

    private async Task<IResult> SignAsync(string name, string version, HttpRequest request)
    {
        if (_signFaults.TryDequeue(out var fault))
        {
            if (fault.RetryAfter is not null)
            {
                request.HttpContext.Response.Headers.RetryAfter = fault.RetryAfter;
            }

            return Error(fault.Status, fault.Status == 429 ? "Throttled" : "ServiceUnavailable", "Request was not processed because too many requests were received.");
        }

        SignParameters? parameters = await JsonSerializer.DeserializeAsync<SignParameters>(request.Body).ConfigureAwait(false);
        if (parameters?.Alg is null || parameters.Value is null)
        {
            return Error(400, "BadParameter", "Property 'alg' and 'value' are required.");
        }

        if (!_keys.TryGetValue(name, out List<VersionRecord>? versions))
        {
            return Error(404, "KeyNotFound", $"A key with (name/id) {name} was not found in this key vault.");
        }

        VersionRecord? record;
        lock (versions)
        {
            record = versions.SingleOrDefault(v => v.Version == version);
        }

        if (record is null)
        {
            return Error(404, "KeyNotFound", $"A key with (name/id) {name}/{version} was not found in this key vault.");
        }

        if (!record.Enabled)
        {
            return Error(403, "Forbidden", "Operation sign is not allowed on a disabled key.");
        }

        byte[] digest = Base64Url.DecodeFromChars(parameters.Value);
        byte[] signature;
        switch (parameters.Alg, record.Key)
        {
            case ("RS256", RSA rsa) when digest.Length == 32:
                signature = rsa.SignHash(digest, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
                break;
            case ("PS256", RSA rsa) when digest.Length == 32:
                signature = rsa.SignHash(digest, HashAlgorithmName.SHA256, RSASignaturePadding.Pss);
                break;
            case ("ES256", ECDsa ec) when digest.Length == 32 && ec.KeySize == 256:
            case ("ES384", ECDsa ec2) when digest.Length == 48 && ec2.KeySize == 384:
                signature = ((ECDsa)record.Key).SignHash(digest, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
                break;
            default:
                return Error(400, "BadParameter", $"Algorithm {parameters.Alg} with a {digest.Length}-byte digest does not fit key {version}.");
        }

        if (TruncateSignatures)
        {
            signature = signature[..^1];
        }

        return Results.Json(new { kid = KeyId(name, version), value = Base64Url.EncodeToString(signature) }, s_json);
    }

    private string KeyId(string name, string version) => $"{VaultUri}keys/{name}/{version}";

    private void Increment(string kind) => _requests.AddOrUpdate(kind, 1, (_, n) => n + 1);

    private static IResult Error(int status, string code, string message, string? inner = null) =>
        Results.Json(new { error = new { code, message, innererror = inner is null ? null : new { code = inner } } }, s_json, statusCode: status);

    private static Task WriteErrorAsync(HttpContext context, int status, string code, string message, string? inner = null)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(new { error = new { code, message, innererror = inner is null ? null : new { code = inner } } }, s_json);
    }

    private static X509Certificate2 CreateCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={VaultHost}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(VaultHost);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new("1.3.6.1.5.5.7.3.1")], critical: false));
        DateTimeOffset now = DateTimeOffset.UtcNow;
        using X509Certificate2 created = request.CreateSelfSigned(now.AddDays(-1), now.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), password: null);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        Certificate.Dispose();
        foreach (VersionRecord record in _keys.Values.SelectMany(v => v))
        {
            record.Key.Dispose();
        }
    }

    private sealed class SignParameters
    {
        [JsonPropertyName("alg")] public string? Alg { get; init; }
        [JsonPropertyName("value")] public string? Value { get; init; }
    }

    private sealed class VersionRecord(string version, AsymmetricAlgorithm key, string keyType)
    {
        public string Version { get; } = version;
        public AsymmetricAlgorithm Key { get; } = key;
        public bool Enabled { get; set; } = true;
        public long Created { get; init; }
        public long? Expires { get; set; }

        public object Attributes() => new { enabled = Enabled, created = Created, updated = Created, exp = Expires, recoveryLevel = "Recoverable+Purgeable" };

        public object Jwk(string kid)
        {
            string[] ops = ["sign", "verify"];
            if (Key is RSA rsa)
            {
                RSAParameters p = rsa.ExportParameters(false);
                return new { kid, kty = keyType, key_ops = ops, n = Base64Url.EncodeToString(p.Modulus), e = Base64Url.EncodeToString(p.Exponent) };
            }

            ECParameters ec = ((ECDsa)Key).ExportParameters(false);
            string crv = ec.Curve.Oid.FriendlyName switch { "nistP256" or "ECDSA_P256" => "P-256", "nistP384" or "ECDSA_P384" => "P-384", var other => other ?? "?" };
            return new { kid, kty = keyType, key_ops = ops, crv, x = Base64Url.EncodeToString(ec.Q.X), y = Base64Url.EncodeToString(ec.Q.Y) };
        }
    }
}
