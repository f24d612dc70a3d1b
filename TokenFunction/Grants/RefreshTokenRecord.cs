namespace TokenFunction.Grants;

/// <summary>
/// One refresh token of a grant, as stored: only its key (<see cref="RefreshTokens.RowKeyOf"/>), never the token.
/// Client, subject, scope and resources are the grant's (<see cref="AuthorizationGrant"/>).
/// </summary>
public sealed record RefreshTokenRecord
{
    public required string GrantId { get; init; }

    /// <summary><c>rt:</c> + base64url(SHA-256(token)).</summary>
    public required string Key { get; init; }

    public DateTimeOffset IssuedAt { get; init; }

    /// <summary>Idle expiry: issue time + the idle lifetime, capped by the grant's absolute expiry.</summary>
    public DateTimeOffset ExpiresAt { get; init; }

    /// <summary>Set when the token was rotated: from then on only the grace window's retry may present it.</summary>
    public DateTimeOffset? RetiredAt { get; init; }

    /// <summary>The key of the token that replaced this one; also tells a retried rotation that it already won.</summary>
    public string? SuccessorHash { get; init; }

    /// <summary>The successor, sealed under this (old) token (<see cref="RefreshTokens.Seal"/>).</summary>
    public string? SealedSuccessor { get; init; }

    /// <summary>
    /// RFC 9449 section 5: the thumbprint of the DPoP key this (public client's) token is bound to; it is refreshed only
    /// with a proof of that key, and its successors keep the binding. Null: unbound (every row written before DPoP).
    /// </summary>
    public string? DpopThumbprint { get; init; }

    public ConcurrencyToken Version { get; init; }

    public bool IsRetired => RetiredAt is not null;

    /// <summary>What seals bind a value to: this record's place (grant and key).</summary>
    public string AssociatedData => GrantId + "/" + Key;

    /// <summary>The successor sealed on this retired record, for a holder of this token; null if it cannot be opened.</summary>
    public string? OpenSuccessor(string presentedToken) =>
        SealedSuccessor is { } sealedValue ? RefreshTokens.Open(presentedToken, sealedValue, AssociatedData) : null;
}
