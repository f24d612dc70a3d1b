using Azure;
using Azure.Data.Tables;
using TokenFunction.Grants;

namespace TokenFunction.Storage;

/// <summary>
/// The code row of a grant in <see cref="TableNames.Grants"/>: PartitionKey = <see cref="GrantKeys.ForCode"/>,
/// RowKey = <see cref="Row"/>. It is also the grant's root: <see cref="RevokedAt"/> revokes everything the grant issued.
/// </summary>
public sealed class AuthorizationCodeEntity : ITableEntity
{
    public const string Row = "code";

    public string PartitionKey { get; set; } = string.Empty;
    public string RowKey { get; set; } = Row;
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string ClientId { get; set; } = string.Empty;
    public string RedirectUri { get; set; } = string.Empty;

    /// <summary>The RFC 7636 challenge; null when the code was issued without PKCE.</summary>
    public string? CodeChallenge { get; set; }

    /// <summary>S256 or plain; null exactly when <see cref="CodeChallenge"/> is.</summary>
    public string? CodeChallengeMethod { get; set; }

    public string Subject { get; set; } = string.Empty;

    /// <summary>Space-separated granted scopes.</summary>
    public string Scope { get; set; } = string.Empty;

    /// <summary>
    /// RFC 8707 resources granted, one per line (see <see cref="ResourceLines"/>); null when none were (and on every
    /// code written before resources were recorded). The grant's bound for the token's <c>aud</c>, like its scope.
    /// </summary>
    public string? Resources { get; set; }

    public DateTimeOffset IssuedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }

    /// <summary>Set, with <see cref="RedemptionId"/>, by the one request that redeemed the code.</summary>
    public DateTimeOffset? RedeemedAt { get; set; }

    /// <summary>Identifies the redeeming request, so a retried update that already won can tell so.</summary>
    public string? RedemptionId { get; set; }

    /// <summary>Set when the code was replayed (RFC 6749 section 4.1.2): the whole grant is revoked.</summary>
    public DateTimeOffset? RevokedAt { get; set; }

    /// <summary>Absolute end of the grant's refresh tokens; set when a redemption issued the first one.</summary>
    public DateTimeOffset? GrantExpiresAt { get; set; }

    /// <summary>Idle expiry of the grant's live refresh token; moved by every rotation (in the same conditional write).</summary>
    public DateTimeOffset? RefreshExpiresAt { get; set; }

    /// <summary>
    /// The grant's first refresh token, sealed under the code and its verifier (<see cref="CodeRetrySeal"/>), so that a
    /// client retrying a code exchange whose answer it lost gets the same refresh token back and no second family.
    /// </summary>
    public string? SealedRefreshToken { get; set; }

    /// <summary>
    /// The key (<see cref="RefreshTokens.RowKeyOf"/>) of the grant's live refresh token, which this row holds
    /// (<see cref="RootRefreshTokens"/>); null on a grant without refresh tokens and on grants redeemed before the root
    /// held them, whose tokens have rows of their own. <see cref="RefreshExpiresAt"/> is its idle expiry.
    /// </summary>
    public string? RefreshKey { get; set; }

    public DateTimeOffset? RefreshIssuedAt { get; set; }

    /// <summary>RFC 9449: the DPoP key thumbprint the grant's refresh tokens are bound to (a public client's); null: unbound.</summary>
    public string? RefreshDpopJkt { get; set; }

    /// <summary>The token the live one replaced, when it was retired, and the live one sealed under it (for the grace window).</summary>
    public string? PreviousRefreshKey { get; set; }

    public DateTimeOffset? PreviousRefreshRetiredAt { get; set; }
    public string? PreviousRefreshSealedSuccessor { get; set; }

    /// <summary>How many <c>Retired_</c> columns the row has (<see cref="RootRefreshTokens"/>); absent: none.</summary>
    public int? RetiredRefreshCount { get; set; }

    /// <summary>RFC 9449 section 10 <c>dpop_jkt</c>, written by the authorize step: the code needs a proof of that key.</summary>
    public string? DpopJkt { get; set; }

    public bool IsRedeemed => RedemptionId is not null;
}
