namespace TokenFunction.Clients;

/// <summary>A registered client: who it is, how it authenticates and what it may ask for.</summary>
public sealed record OAuthClient
{
    public const int MaxIdLength = 128;

    /// <summary>A table property holds at most 64 KiB (32 K UTF-16 characters); a larger JWKS belongs at a URL.</summary>
    public const int MaxInlineJwksLength = 30_000;

    public required string ClientId { get; init; }

    /// <summary>The stored hash of the secret (see <see cref="ClientSecretHasher"/>); null for a public client.</summary>
    public string? SecretHash { get; init; }

    /// <summary>The client's public keys for <c>private_key_jwt</c> (a JWKS document); null unless registered inline.</summary>
    public string? Jwks { get; init; }

    /// <summary>Where the client publishes its JWKS for <c>private_key_jwt</c>; null unless registered by URL.</summary>
    public Uri? JwksUri { get; init; }

    public required IReadOnlyList<string> RedirectUris { get; init; }

    public required IReadOnlySet<string> AllowedScopes { get; init; }

    public required IReadOnlySet<string> AllowedGrantTypes { get; init; }

    /// <summary>RFC 8707 resources (absolute URIs) the client may ask tokens for; empty: only the default audience.</summary>
    public IReadOnlySet<string> AllowedResources { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Whether codes with the RFC 7636 "plain" method may be redeemed; S256 is always allowed.</summary>
    public bool AllowPlainPkce { get; init; }

    /// <summary>Per-client override of <c>Token__RefreshTokenIdleLifetimeSeconds</c>; null: the setting applies.</summary>
    public int? RefreshIdleLifetimeSeconds { get; init; }

    /// <summary>Per-client override of <c>Token__RefreshTokenAbsoluteLifetimeSeconds</c>; null: the setting applies.</summary>
    public int? RefreshAbsoluteLifetimeSeconds { get; init; }

    /// <summary>A client with registered keys authenticates with signed assertions (RFC 7523) and nothing else.</summary>
    public bool UsesPrivateKeyJwt => Jwks is not null || JwksUri is not null;

    /// <summary>A client without credentials: no secret and no keys.</summary>
    public bool IsPublic => SecretHash is null && !UsesPrivateKeyJwt;

    /// <summary>
    /// Client ids are storage keys, so they are limited to URL-unreserved characters; a request naming any
    /// other id is refused before storage is asked.
    /// </summary>
    public static bool IsValidId(string clientId) =>
        clientId.Length is > 0 and <= MaxIdLength && clientId.All(Protocol.Pkce.IsUnreserved);

    public override string ToString() => $"OAuthClient {{ ClientId = {ClientId}, IsPublic = {IsPublic} }}";
}
