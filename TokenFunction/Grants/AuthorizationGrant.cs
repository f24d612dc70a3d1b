namespace TokenFunction.Grants;

/// <summary>
/// A grant as its root record holds it: what the authorize step decided behind one authorization code (client, redirect
/// URI, PKCE challenge, subject, scope, resources) and how far the grant has come since (redeemed, revoked, the end of
/// its refresh tokens). <see cref="RevokedAt"/> revokes everything the grant issued.
/// </summary>
public sealed record AuthorizationGrant
{
    /// <summary>base64url(SHA-256(code)): the grant's id, derived from the code, which is never stored (<see cref="GrantKeys"/>).</summary>
    public required string GrantId { get; init; }

    public required string ClientId { get; init; }

    public required string RedirectUri { get; init; }

    /// <summary>The RFC 7636 challenge; null when the code was issued without PKCE.</summary>
    public string? CodeChallenge { get; init; }

    /// <summary>S256 or plain, as the authorize step wrote it; null exactly when <see cref="CodeChallenge"/> is.</summary>
    public string? CodeChallengeMethod { get; init; }

    public required string Subject { get; init; }

    /// <summary>Space-separated granted scopes.</summary>
    public string Scope { get; init; } = string.Empty;

    /// <summary>RFC 8707 resources granted: the bound of every token's <c>aud</c>, like the scope. Empty: no bound beyond the client's registration.</summary>
    public IReadOnlyList<string> Resources { get; init; } = [];

    public DateTimeOffset IssuedAt { get; init; }

    /// <summary>The code is refused from this instant on.</summary>
    public DateTimeOffset ExpiresAt { get; init; }

    /// <summary>Set, with <see cref="RedemptionId"/>, by the one request that redeemed the code.</summary>
    public DateTimeOffset? RedeemedAt { get; init; }

    /// <summary>Identifies the redeeming request, so a retried write that already won can tell so.</summary>
    public string? RedemptionId { get; init; }

    /// <summary>Set when the code was replayed, a retired refresh token reused, or an operator revoked the grant.</summary>
    public DateTimeOffset? RevokedAt { get; init; }

    /// <summary>Absolute end of the grant's refresh tokens; set when a redemption issued the first one.</summary>
    public DateTimeOffset? GrantExpiresAt { get; init; }

    /// <summary>Idle expiry of the grant's live refresh token; moved by every rotation.</summary>
    public DateTimeOffset? RefreshExpiresAt { get; init; }

    /// <summary>
    /// The grant's first refresh token, sealed under the code and its verifier (<see cref="CodeRetrySeal"/>), so that a
    /// client retrying a code exchange whose answer it lost gets the same refresh token back and no second family.
    /// </summary>
    public string? SealedRefreshToken { get; init; }

    /// <summary>
    /// RFC 9449 section 10: the thumbprint the authorize step was given as <c>dpop_jkt</c>; the code is then redeemed
    /// only with a DPoP proof of that key. Null: no binding.
    /// </summary>
    public string? DpopJkt { get; init; }

    /// <summary>The record's version as read; conditional writes are made against it.</summary>
    public ConcurrencyToken Version { get; init; }

    public bool IsRedeemed => RedemptionId is not null;

    /// <summary>
    /// The grant as the redemption by <paramref name="redemptionId"/> leaves it, with the grant's first refresh token when
    /// <paramref name="firstRefreshToken"/> is given; the version is the store's to set.
    /// </summary>
    public AuthorizationGrant Redeemed(string redemptionId, DateTimeOffset redeemedAt, FirstRefreshToken? firstRefreshToken) =>
        firstRefreshToken is null
            ? this with { RedemptionId = redemptionId, RedeemedAt = redeemedAt }
            : this with
            {
                RedemptionId = redemptionId,
                RedeemedAt = redeemedAt,
                GrantExpiresAt = firstRefreshToken.GrantExpiresAt,
                RefreshExpiresAt = firstRefreshToken.Token.ExpiresAt,
                SealedRefreshToken = firstRefreshToken.SealedForRetry,
            };

    public bool IsRevoked => RevokedAt is not null;

    /// <summary>
    /// When the grant becomes purgeable unless revoked first: the end of its refresh tokens (the live token's idle expiry,
    /// capped by the grant's absolute expiry) once a redemption issued them, else the code's expiry.
    /// </summary>
    public DateTimeOffset DueAt =>
        GrantExpiresAt is { } grantExpiresAt
            ? RefreshExpiresAt is { } idle && idle < grantExpiresAt ? idle : grantExpiresAt
            : ExpiresAt;

    /// <summary>Revoked, or past the end of the last thing it could issue (see <see cref="DueAt"/>).</summary>
    public bool IsDeadAt(DateTimeOffset now) => IsRevoked || now >= DueAt;
}
