using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using TokenFunction.Hosting;
using TokenFunction.Signing;
using TokenFunction.Signing.KeyVault;
using TokenFunction.Settings;

namespace TokenFunction.Tests.KeyVault;

/// <summary>A Key Vault double, a fake clock, the fixed-token credential, and clients and providers wired to them.</summary>
internal sealed class KeyVaultHarness : IAsyncDisposable
{
    public const string KeyName = "token-signing";
    public const string Issuer = "https://issuer.test";
    public const string Audience = "api://resource.test";
    public const int TokenLifetimeSeconds = 600;

    private readonly List<IDisposable> _owned = [];

    private KeyVaultHarness(FakeTimeProvider time, KeyVaultDouble vault)
    {
        Time = time;
        Vault = vault;
    }

    public FakeTimeProvider Time { get; }

    public KeyVaultDouble Vault { get; }

    public FixedTokenCredential Credential { get; set; } = new();

    public static async Task<KeyVaultHarness> StartAsync()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero));
        return new KeyVaultHarness(time, await KeyVaultDouble.StartAsync(time));
    }

    /// <summary>Client options as production builds them, with short test retry delays and the pinned test transport.</summary>
    public KeyVaultKeysClientOptions ClientOptions(SigningOptions signing, Action<KeyVaultKeysClientOptions>? configure = null)
    {
        KeyVaultKeysClientOptions options = KeyVaultSigningServiceCollectionExtensions.CreateClientOptions(signing);
        options.Retry.Delay = TimeSpan.FromMilliseconds(10);
        options.Retry.MaxDelay = TimeSpan.FromMilliseconds(50);
        options.Transport = Vault.CreateTransport();
        configure?.Invoke(options);
        return options;
    }

    public KeyVaultKeysClient CreateClient(Action<KeyVaultKeysClientOptions>? configure = null) =>
        new(Vault.VaultUri, Credential, ClientOptions(new SigningOptions(), configure));

    public SigningOptions SigningOptions(string? version = null) => new()
    {
        KeyVaultKeyId = new Uri(Vault.VaultUri, version is null ? $"keys/{KeyName}" : $"keys/{KeyName}/{version}"),
        KeyRefreshSeconds = 60,
        PrePublicationSeconds = 3600,
        RetiredKeyGraceSeconds = 300,
    };

    public KeyVaultSigningKeyProvider CreateProvider(
        string? version = null, Action<SigningOptions>? configure = null, Action<KeyVaultKeysClientOptions>? configureClient = null)
    {
        SigningOptions signing = SigningOptions(version);
        configure?.Invoke(signing);
        var client = new KeyVaultKeysClient(Vault.VaultUri, Credential, ClientOptions(signing, configureClient));
        var provider = new KeyVaultSigningKeyProvider(
            client,
            Options.Create(signing),
            Options.Create(new TokenOptions { Issuer = Issuer, Audience = Audience, AccessTokenLifetimeSeconds = TokenLifetimeSeconds }),
            Options.Create(new IdentityOptions()),
            Time,
            NullLogger<KeyVaultSigningKeyProvider>.Instance);
        _owned.Add(provider);
        return provider;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (IDisposable owned in _owned)
        {
            owned.Dispose();
        }

        await Vault.DisposeAsync();
    }
}

/// <summary>Builds compact JWTs the way the token endpoint does, and validates them with Microsoft.IdentityModel against a JWKS.</summary>
internal static class Jwt
{
    public static async Task<string> IssueAsync(ISigningKey key, CancellationToken cancellationToken = default)
    {
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        byte[] header = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string>
        {
            ["alg"] = key.Algorithm,
            ["typ"] = "at+jwt",
            ["kid"] = key.KeyId,
        });
        byte[] payload = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["iss"] = KeyVaultHarness.Issuer,
            ["aud"] = KeyVaultHarness.Audience,
            ["sub"] = "client-1",
            ["client_id"] = "client-1",
            ["iat"] = now,
            ["exp"] = now + KeyVaultHarness.TokenLifetimeSeconds,
            ["jti"] = Guid.NewGuid().ToString("N"),
        });
        string signingInput = Base64Url.EncodeToString(header) + "." + Base64Url.EncodeToString(payload);
        byte[] signature = await key.SignAsync(Encoding.ASCII.GetBytes(signingInput), cancellationToken);
        return signingInput + "." + Base64Url.EncodeToString(signature);
    }

    public static string JwksJson(IReadOnlyList<PublicJsonWebKey> keys) => JsonSerializer.Serialize(new { keys });

    public static async Task<TokenValidationResult> ValidateAsync(string token, IReadOnlyList<PublicJsonWebKey> keys)
    {
        var jwks = new JsonWebKeySet(JwksJson(keys));
        var parameters = new TokenValidationParameters
        {
            ValidIssuer = KeyVaultHarness.Issuer,
            ValidAudience = KeyVaultHarness.Audience,
            ValidTypes = ["at+jwt"],
            IssuerSigningKeys = jwks.GetSigningKeys(),
            TryAllIssuerSigningKeys = false,
            RequireSignedTokens = true,
        };
        return await new JsonWebTokenHandler().ValidateTokenAsync(token, parameters);
    }
}
