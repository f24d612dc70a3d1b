using System.Buffers.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using TokenFunction.Clients;
using TokenFunction.Grants;
using TokenFunction.Protocol;
using TokenFunction.Settings;
using TokenFunction.Signing;
using TokenFunction.Storage.Memory;
using TokenFunction.Telemetry;
using TokenFunction.Tests.Infrastructure;
using TokenFunction.Tests.Unit.Signing;

namespace TokenFunction.Tests.Unit.Grants;

/// <summary>
/// The grant handlers on the in-memory stores, a fake clock and an in-memory signing key: no Azurite, no HTTP, no file.
/// What the handlers decide (status-free: the OAuth error code) and what they leave in the stores is all there is to see.
/// </summary>
internal sealed class GrantHarness : IDisposable
{
    public const string RedirectUri = "https://app.example.test/cb";
    public const int GraceSeconds = 30;

    private readonly LocalSigningKey _key = LocalSigningKey.FromPem(LocalSigningKey.GeneratePem("ES256"));
    private readonly ILoggerFactory _auditLoggers;

    public GrantHarness(ISigningKeyProvider? keys = null)
    {
        Store = new InMemoryGrantStore(Clock);
        var options = Options.Create(new TokenOptions
        {
            Issuer = "https://login.example.test",
            Audience = "https://api.example.test",
            CodeRetryGraceSeconds = GraceSeconds,
            RefreshReuseGraceSeconds = GraceSeconds,
            RefreshTokenIdleLifetimeSeconds = 3600,
            RefreshTokenAbsoluteLifetimeSeconds = 86_400,
        });
        _auditLoggers = LoggerFactory.Create(logging => logging.AddProvider(Audit));
        var audit = new AuditLog(_auditLoggers);
        var tokens = new AccessTokenFactory(keys ?? new FixedKeyProvider(_key), options, Clock, audit);
        var policy = new RefreshTokenPolicy(options);
        Code = new AuthorizationCodeGrantHandler(Store, Store, Store, tokens, policy, options, Clock, audit, NullLogger<AuthorizationCodeGrantHandler>.Instance);
        Refresh = new RefreshTokenGrantHandler(Store, Store, tokens, policy, Clock, audit, NullLogger<RefreshTokenGrantHandler>.Instance);
        ClientCredentials = new ClientCredentialsGrantHandler(tokens, audit);
        Revocation = new RefreshTokenRevocation(Store, Store, audit, NullLogger<RefreshTokenRevocation>.Instance);
    }

    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 12, 2, 10, 0, 0, TimeSpan.Zero));

    public InMemoryGrantStore Store { get; }

    /// <summary>The audit events the grants wrote.</summary>
    public LogCollector Audit { get; } = new();

    public AuthorizationCodeGrantHandler Code { get; }

    public RefreshTokenGrantHandler Refresh { get; }

    public ClientCredentialsGrantHandler ClientCredentials { get; }

    public RefreshTokenRevocation Revocation { get; }

    public static OAuthClient Client(
        string? id = null, bool confidential = true, bool refreshTokens = true, bool allowPlain = false, string scopes = "orders:read orders:write", params string[] resources)
    {
        var grants = new HashSet<string>(StringComparer.Ordinal) { GrantTypeNames.AuthorizationCode, GrantTypeNames.ClientCredentials };
        if (refreshTokens)
        {
            grants.Add(GrantTypeNames.RefreshToken);
        }

        return new OAuthClient
        {
            ClientId = id ?? "client-" + Guid.NewGuid().ToString("N")[..8],
            SecretHash = confidential ? ClientSecretHasher.Hash(ClientSecretHasher.GenerateSecret()) : null,
            RedirectUris = [RedirectUri],
            AllowedScopes = Scopes.Parse(scopes).ToHashSet(StringComparer.Ordinal),
            AllowedGrantTypes = grants,
            AllowedResources = resources.ToHashSet(StringComparer.Ordinal),
            AllowPlainPkce = allowPlain,
        };
    }

    /// <summary>A code with an S256 challenge (unless <paramref name="method"/> is null), as the authorize step issues one.</summary>
    public async Task<(string Code, string Verifier)> IssueAsync(
        OAuthClient client, string? method = Pkce.S256, string subject = "alice", string scope = "orders:read", IReadOnlyList<string>? resources = null, int lifetimeSeconds = 60)
    {
        var verifier = Base64Url.EncodeToString(Guid.NewGuid().ToByteArray()) + Base64Url.EncodeToString(Guid.NewGuid().ToByteArray());
        var challenge = method switch { null => null, Pkce.S256 => Pkce.ComputeS256Challenge(verifier), _ => verifier };
        var code = await Store.IssueAsync(new NewAuthorizationCode(client.ClientId, RedirectUri, challenge, method, subject, scope, TimeSpan.FromSeconds(lifetimeSeconds), resources), CancellationToken.None);
        return (code, verifier);
    }

    public Task<AccessTokenResponse> RedeemAsync(OAuthClient client, string code, string? verifier, string redirectUri = RedirectUri, params string[] resources)
    {
        var form = new List<(string, string)> { (OAuthParameterNames.Code, code), (OAuthParameterNames.RedirectUri, redirectUri) };
        if (verifier is not null)
        {
            form.Add((OAuthParameterNames.CodeVerifier, verifier));
        }

        return Code.HandleAsync(new GrantRequest(Form(Code, form, resources), client), CancellationToken.None);
    }

    public Task<AccessTokenResponse> RefreshAsync(OAuthClient client, string refreshToken, string? scope = null, params string[] resources)
    {
        var form = new List<(string, string)> { (OAuthParameterNames.RefreshToken, refreshToken) };
        if (scope is not null)
        {
            form.Add((OAuthParameterNames.Scope, scope));
        }

        return Refresh.HandleAsync(new GrantRequest(Form(Refresh, form, resources), client), CancellationToken.None);
    }

    public Task<AccessTokenResponse> ClientCredentialsAsync(OAuthClient client, string? scope = null, params string[] resources) =>
        ClientCredentials.HandleAsync(new GrantRequest(Form(ClientCredentials, scope is null ? [] : [(OAuthParameterNames.Scope, scope)], resources), client), CancellationToken.None);

    public async Task<AuthorizationGrant> GrantAsync(string code) => (await Store.FindByCodeAsync(code, CancellationToken.None))!;

    /// <summary>The request's parameters as the token endpoint hands them to <paramref name="handler"/>: only what it declared.</summary>
    public static FormParameters Form(IGrantHandler handler, IEnumerable<(string Name, string Value)> parameters, IReadOnlyList<string>? resources = null)
    {
        var values = parameters.ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal);
        if (resources is { Count: > 0 })
        {
            values[OAuthParameterNames.Resource] = resources[0];
        }

        return new FormParameters(values, resources).Only(handler.Parameters.All);
    }

    /// <summary>The access token's claims (its signature is the end-to-end tests' business).</summary>
    public static JsonElement Claims(AccessTokenResponse response)
    {
        using var document = JsonDocument.Parse(Base64Url.DecodeFromChars(response.AccessToken.Split('.')[1]));
        return document.RootElement.Clone();
    }

    public void Dispose()
    {
        _auditLoggers.Dispose();
        Audit.Dispose();
        _key.Dispose();
    }
}
