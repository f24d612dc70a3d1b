namespace TokenFunction.Clients;

/// <summary>A registered client: who it is, how it authenticates and what it may ask for.</summary>
public sealed record OAuthClient
{
    /// <summary>RFC 6749 leaves the length open; 255 keeps an id readable in logs and its table key well within 1 KiB.</summary>
    public const int MaxIdLength = 255;

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

    /// <summary>RFC 9449 section 5.2 <c>dpop_bound_access_tokens</c>: every token request must carry a DPoP proof.</summary>
    public bool RequireDpop { get; init; }

    /// <summary>A client with registered keys authenticates with signed assertions (RFC 7523) and nothing else.</summary>
    public bool UsesPrivateKeyJwt => Jwks is not null || JwksUri is not null;

    /// <summary>A client without credentials: no secret and no keys.</summary>
    public bool IsPublic => SecretHash is null && !UsesPrivateKeyJwt;

    /// <summary>
    /// RFC 6749 appendix A.1: 1 to <see cref="MaxIdLength"/> VSCHAR (printable ASCII, space included), so
    /// <c>urn:example:client</c> and URL ids are valid; a request naming any other id is refused before storage is
    /// asked, and no control character reaches a log. Storage keys are derived from it (Storage/ClientIdKeys).
    /// </summary>
    public static bool IsValidId(string clientId) =>
        clientId.Length is > 0 and <= MaxIdLength && clientId.All(c => c is >= '\x20' and <= '\x7E');

    /// <summary>The rule of <see cref="IsValidId"/> in words, for refusals.</summary>
    public static string IdRule => $"1 to {MaxIdLength} printable ASCII characters (RFC 6749 VSCHAR: no control characters, no non-ASCII)";

    public override string ToString() => $"OAuthClient {{ ClientId = {ClientId}, IsPublic = {IsPublic} }}";
}
