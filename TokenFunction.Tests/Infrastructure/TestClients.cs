using Microsoft.Extensions.DependencyInjection;
using TokenFunction.Clients;
using TokenFunction.Protocol;
using TokenFunction.Grants;
using TokenFunction.Storage;

namespace TokenFunction.Tests.Infrastructure;

/// <summary>Registers clients and issues codes through the service's own stores, as tokenctl does.</summary>
public sealed class TestClients(IServiceProvider services)
{
    public const string RedirectUri = "https://app.example.test/callback";
    public const string Scope = "orders:read orders:write";

    public static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    /// <summary>The grant types of a client that gets refresh tokens (what <c>tokenctl client add</c> registers by default).</summary>
    public static IReadOnlySet<string> WithRefreshTokens { get; } =
        new HashSet<string>(StringComparer.Ordinal) { GrantTypeNames.AuthorizationCode, GrantTypeNames.RefreshToken };

    public async Task<RegisteredClient> AddConfidentialAsync(
        string? clientId = null, string? secret = null, IReadOnlySet<string>? grantTypes = null, int? refreshIdleSeconds = null, int? refreshAbsoluteSeconds = null)
    {
        secret ??= ClientSecretHasher.GenerateSecret();
        var client = NewClient(clientId ?? NewId("conf"), ClientSecretHasher.Hash(secret), allowPlain: false, grantTypes) with
        {
            RefreshIdleLifetimeSeconds = refreshIdleSeconds,
            RefreshAbsoluteLifetimeSeconds = refreshAbsoluteSeconds,
        };
        await SaveAsync(client);
        return new RegisteredClient(client.ClientId, secret);
    }

    public async Task<RegisteredClient> AddPublicAsync(bool allowPlainPkce = false, IReadOnlySet<string>? grantTypes = null, bool requireDpop = false)
    {
        var client = NewClient(NewId("pub"), secretHash: null, allowPlainPkce, grantTypes) with { RequireDpop = requireDpop };
        await SaveAsync(client);
        return new RegisteredClient(client.ClientId, null);
    }

    /// <summary>A client that authenticates with private_key_jwt, its keys registered inline or by URL.</summary>
    public async Task<RegisteredClient> AddPrivateKeyJwtAsync(string? jwks = null, Uri? jwksUri = null, IReadOnlySet<string>? grantTypes = null)
    {
        var client = NewClient(NewId("pkjwt"), secretHash: null, allowPlain: false, grantTypes) with { Jwks = jwks, JwksUri = jwksUri };
        await SaveAsync(client);
        return new RegisteredClient(client.ClientId, null);
    }

    public async Task<IssuedCode> IssueCodeAsync(
        string clientId,
        string? verifier = null,
        string method = Pkce.S256,
        bool withPkce = true,
        TimeSpan? lifetime = null,
        string subject = "alice",
        IReadOnlyList<string>? resources = null,
        string? dpopJkt = null)
    {
        verifier ??= NewVerifier();
        var challenge = withPkce ? (method == Pkce.S256 ? Pkce.ComputeS256Challenge(verifier) : verifier) : null;
        var code = await services.GetRequiredService<AuthorizationCodeStore>().IssueAsync(
            new NewAuthorizationCode(clientId, RedirectUri, challenge, withPkce ? method : null, subject, Scope, lifetime ?? TimeSpan.FromMinutes(5), resources, dpopJkt),
            CancellationToken.None);
        return new IssuedCode(code, withPkce ? verifier : null);
    }

    public static string NewVerifier() => System.Buffers.Text.Base64Url.EncodeToString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    private static OAuthClient NewClient(string clientId, string? secretHash, bool allowPlain, IReadOnlySet<string>? grantTypes) => new()
    {
        ClientId = clientId,
        SecretHash = secretHash,
        RedirectUris = [RedirectUri],
        AllowedScopes = Scope.Split(' ').ToHashSet(StringComparer.Ordinal),
        AllowedGrantTypes = grantTypes ?? new HashSet<string>(StringComparer.Ordinal) { GrantTypeNames.AuthorizationCode },
        AllowPlainPkce = allowPlain,
    };

    private Task<bool> SaveAsync(OAuthClient client) =>
        services.GetRequiredService<ClientStore>().SaveAsync(client, replace: false, CancellationToken.None);
}

public sealed record RegisteredClient(string ClientId, string? Secret);

public sealed record IssuedCode(string Code, string? Verifier);
