using Azure.Data.Tables;
using TokenFunction.Grants;

namespace TokenFunction.Storage;

/// <summary>
/// A grant's first refresh token, held in the grant's root row (the <c>FirstRefresh*</c> columns of
/// <see cref="AuthorizationCodeEntity"/>) instead of a row of its own: the code exchange is then one conditional Merge of
/// the root (the code consumed exactly when the token exists, without an entity-group transaction). Its successors
/// have rows of their own. Grants redeemed before hold their first token in a row, and are read as they are.
/// </summary>
internal static class RootHeldRefreshToken
{
    // A root-held token's version is the root's ETag, marked so that a rotation knows where the token lives. ETags
    // begin with W/" or ", never with this.
    private const string VersionMarker = "root:";

    /// <summary>The columns the exchange merges into the root for <paramref name="token"/>.</summary>
    public static void Write(TableEntity root, RefreshTokenRecord token)
    {
        root[nameof(AuthorizationCodeEntity.FirstRefreshKey)] = token.Key;
        root[nameof(AuthorizationCodeEntity.FirstRefreshIssuedAt)] = token.IssuedAt;
        root[nameof(AuthorizationCodeEntity.FirstRefreshExpiresAt)] = token.ExpiresAt;
        if (token.DpopThumbprint is { } thumbprint)
        {
            root[nameof(AuthorizationCodeEntity.FirstRefreshDpopJkt)] = thumbprint;
        }
    }

    /// <summary>The columns a rotation merges into the root to retire its token.</summary>
    public static void Retire(TableEntity root, DateTimeOffset retiredAt, string successorKey, string sealedSuccessor)
    {
        root[nameof(AuthorizationCodeEntity.FirstRefreshRetiredAt)] = retiredAt;
        root[nameof(AuthorizationCodeEntity.FirstRefreshSuccessorHash)] = successorKey;
        root[nameof(AuthorizationCodeEntity.FirstRefreshSealedSuccessor)] = sealedSuccessor;
    }

    /// <summary>The token the root holds when its key is <paramref name="tokenKey"/>; null otherwise.</summary>
    /// <exception cref="MalformedRowException">The root holds a token whose columns break the documented layout.</exception>
    public static RefreshTokenRecord? Read(TableEntity root, string tokenKey)
    {
        var columns = new RowReader(TableNames.Grants, root);
        if (!string.Equals(columns.OptionalString(nameof(AuthorizationCodeEntity.FirstRefreshKey)), tokenKey, StringComparison.Ordinal))
        {
            return null;
        }

        return new RefreshTokenRecord
        {
            GrantId = root.PartitionKey,
            Key = tokenKey,
            IssuedAt = columns.RequiredDate(nameof(AuthorizationCodeEntity.FirstRefreshIssuedAt)),
            ExpiresAt = columns.RequiredDate(nameof(AuthorizationCodeEntity.FirstRefreshExpiresAt)),
            RetiredAt = columns.OptionalDate(nameof(AuthorizationCodeEntity.FirstRefreshRetiredAt)),
            SuccessorHash = columns.OptionalString(nameof(AuthorizationCodeEntity.FirstRefreshSuccessorHash)),
            SealedSuccessor = columns.OptionalString(nameof(AuthorizationCodeEntity.FirstRefreshSealedSuccessor)),
            DpopThumbprint = columns.OptionalString(nameof(AuthorizationCodeEntity.FirstRefreshDpopJkt)),
            Version = new ConcurrencyToken(VersionMarker + root.ETag),
        };
    }

    public static bool IsRootHeld(RefreshTokenRecord token) =>
        token.Version.Value?.StartsWith(VersionMarker, StringComparison.Ordinal) == true;
}
