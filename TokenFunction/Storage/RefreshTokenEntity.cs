using Azure;
using Azure.Data.Tables;
using TokenFunction.Grants;

namespace TokenFunction.Storage;

/// <summary>
/// A refresh token row in its grant's partition of <see cref="TableNames.Grants"/>: PartitionKey = grant id,
/// RowKey = <see cref="RefreshTokens.RowKeyPrefix"/> + base64url(SHA-256(token)). The token itself is never stored.
/// Client, subject and scope are the grant's, read from the grant's root (code) row.
/// </summary>
public sealed class RefreshTokenEntity : ITableEntity
{
    public string PartitionKey { get; set; } = string.Empty;
    public string RowKey { get; set; } = string.Empty;
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public DateTimeOffset IssuedAt { get; set; }

    /// <summary>Idle expiry: issue time + the idle lifetime, capped by the grant's absolute expiry.</summary>
    public DateTimeOffset ExpiresAt { get; set; }

    /// <summary>Set when the token was rotated: from then on only the grace window's retry may present it.</summary>
    public DateTimeOffset? RetiredAt { get; set; }

    /// <summary>RowKey of the token that replaced this one; also tells a retried rotation that it already won.</summary>
    public string? SuccessorHash { get; set; }

    /// <summary>
    /// The successor token, AES-GCM encrypted under a key derived from this (old) token: only a holder of the old
    /// token can recover it, for the grace window's "same successor again" answer.
    /// </summary>
    public string? SealedSuccessor { get; set; }

    /// <summary>RFC 9449: the thumbprint of the DPoP key a public client's token is bound to; absent: unbound.</summary>
    public string? DpopJkt { get; set; }

    public bool IsRetired => RetiredAt is not null;
}
