using System.Buffers.Text;
using Azure;
using Azure.Data.Tables;
using TokenFunction.Grants;

namespace TokenFunction.Storage;

/// <summary>
/// The refresh tokens a grant's root row holds (docs/storage.md): the live one (the <c>Refresh*</c> columns), the one
/// it replaced (<c>PreviousRefresh*</c>: what a retry within the grace window needs), and the key of every token retired
/// before, one column each (<c>Retired_</c> + the key's first 128 bits in hex, valued with the time it was retired),
/// which is what catches their reuse. So the code exchange and each rotation are one conditional Merge of the root: no
/// entity-group transaction, no second row, and a Merge adds a retired column without reading the others. Past
/// <see cref="MaxRetiredColumns"/> (a row holds at most 255 columns) a rotation records the token it retires in a row of
/// its own instead, in one transaction with the Merge. Grants redeemed before the root held their tokens keep them in
/// rows (no <c>RefreshKey</c> column) and are served as they are.
/// </summary>
internal static class RootRefreshTokens
{
    /// <summary>Retired-key columns a root takes before retired tokens go to rows; with the fixed columns, well under 255.</summary>
    public const int MaxRetiredColumns = 200;

    private const string RetiredPrefix = "Retired_";

    // A root-held token's version is the root's ETag, marked with where the token lives and how many retired columns the
    // root has: "root:<count>:<etag>". ETags begin with W/" or ", never with this.
    private const string RootMarker = "root:";

    // Every documented column of a root: the read of a refresh selects these and the one retired column it needs, so its
    // cost does not grow with the grant's history. Taken from the entity, so a column added there is never left out.
    private static readonly string[] s_documentedColumns =
    [
        "PartitionKey",
        "RowKey",
        .. typeof(AuthorizationCodeEntity).GetProperties()
            .Where(property => property.CanWrite && property.DeclaringType == typeof(AuthorizationCodeEntity)
                && property.Name is not (nameof(ITableEntity.PartitionKey) or nameof(ITableEntity.RowKey) or nameof(ITableEntity.Timestamp) or nameof(ITableEntity.ETag)))
            .Select(property => property.Name),
    ];

    /// <summary>The columns a refresh reads of the root to find <paramref name="tokenKey"/>: never the other retired keys.</summary>
    public static IReadOnlyList<string> ColumnsToFind(string tokenKey) =>
        RetiredColumn(tokenKey) is { } retired ? [.. s_documentedColumns, retired] : s_documentedColumns;

    /// <summary>The exchange's columns: <paramref name="first"/> is the live token.</summary>
    public static void Issue(TableEntity update, RefreshTokenRecord first)
    {
        WriteLive(update, first);
        if (first.DpopThumbprint is { } thumbprint)
        {
            update[nameof(AuthorizationCodeEntity.RefreshDpopJkt)] = thumbprint;
        }
    }

    /// <summary>
    /// A rotation's columns: <paramref name="successor"/> becomes the live token, <paramref name="old"/> the previous one
    /// (with its sealed successor) and, unless <paramref name="retiredColumn"/> is false, a retired key for good.
    /// </summary>
    public static void Rotate(TableEntity update, RefreshTokenRecord old, RefreshTokenRecord successor, string sealedSuccessor, DateTimeOffset retiredAt, bool retiredColumn)
    {
        WriteLive(update, successor);
        update[nameof(AuthorizationCodeEntity.PreviousRefreshKey)] = old.Key;
        update[nameof(AuthorizationCodeEntity.PreviousRefreshRetiredAt)] = retiredAt;
        update[nameof(AuthorizationCodeEntity.PreviousRefreshSealedSuccessor)] = sealedSuccessor;
        if (retiredColumn)
        {
            update[RetiredColumn(old.Key) ?? throw new ArgumentException("Not a refresh token key.", nameof(old))] = retiredAt;
            // Under the same If-Match as the column: the count read is still the row's.
            update[nameof(AuthorizationCodeEntity.RetiredRefreshCount)] = RetiredCount(old) + 1;
        }
    }

    // The live token's columns; its DPoP binding is the grant's, written once by the exchange.
    private static void WriteLive(TableEntity update, RefreshTokenRecord live)
    {
        update[nameof(AuthorizationCodeEntity.RefreshKey)] = live.Key;
        update[nameof(AuthorizationCodeEntity.RefreshIssuedAt)] = live.IssuedAt;
        update[nameof(AuthorizationCodeEntity.RefreshExpiresAt)] = live.ExpiresAt;
    }

    /// <summary>
    /// The token of <paramref name="tokenKey"/> as the root holds it: live, previous, or a retired key. Null when the root
    /// does not hold it; <paramref name="mayBeInARow"/> then says whether a row of its own could (a grant redeemed
    /// before, or one whose retired columns are full).
    /// </summary>
    /// <exception cref="MalformedRowException">A column of the root's tokens breaks the documented layout.</exception>
    public static RefreshTokenRecord? Find(TableEntity root, string tokenKey, int maxRetiredColumns, out bool mayBeInARow)
    {
        var columns = new RowReader(TableNames.Grants, root);
        var liveKey = columns.OptionalString(nameof(AuthorizationCodeEntity.RefreshKey));
        if (liveKey is null)
        {
            mayBeInARow = true;
            return null;
        }

        var retiredCount = columns.OptionalInt32(nameof(AuthorizationCodeEntity.RetiredRefreshCount)) ?? 0;
        mayBeInARow = retiredCount >= maxRetiredColumns;
        var version = Version(retiredCount, root.ETag);
        var thumbprint = columns.OptionalString(nameof(AuthorizationCodeEntity.RefreshDpopJkt));
        if (string.Equals(liveKey, tokenKey, StringComparison.Ordinal))
        {
            return new RefreshTokenRecord
            {
                GrantId = root.PartitionKey,
                Key = tokenKey,
                IssuedAt = columns.RequiredDate(nameof(AuthorizationCodeEntity.RefreshIssuedAt)),
                ExpiresAt = columns.RequiredDate(nameof(AuthorizationCodeEntity.RefreshExpiresAt)),
                DpopThumbprint = thumbprint,
                Version = version,
            };
        }

        // A retired token's own times are not kept (a retired token never serves): its retire time stands for them.
        if (string.Equals(columns.OptionalString(nameof(AuthorizationCodeEntity.PreviousRefreshKey)), tokenKey, StringComparison.Ordinal))
        {
            var retiredAt = columns.RequiredDate(nameof(AuthorizationCodeEntity.PreviousRefreshRetiredAt));
            return Retired(root, tokenKey, retiredAt, thumbprint, version) with
            {
                SuccessorHash = liveKey,
                SealedSuccessor = columns.RequiredString(nameof(AuthorizationCodeEntity.PreviousRefreshSealedSuccessor)),
            };
        }

        return RetiredColumn(tokenKey) is { } column && columns.OptionalDate(column) is { } retired
            ? Retired(root, tokenKey, retired, thumbprint, version)
            : null;
    }

    /// <summary>A root-held token's version: the root's ETag, and the retired columns the root has at that ETag.</summary>
    public static ConcurrencyToken Version(int retiredCount, ETag root) =>
        new(FormattableString.Invariant($"{RootMarker}{retiredCount}:{root}"));

    /// <summary>Whether the token lives in its grant's root.</summary>
    public static bool IsRootHeld(RefreshTokenRecord token) =>
        token.Version.Value?.StartsWith(RootMarker, StringComparison.Ordinal) == true;

    /// <summary>The retired columns the root of a root-held token had when the token was read.</summary>
    public static int RetiredCount(RefreshTokenRecord token)
    {
        var version = token.Version.Value ?? string.Empty;
        var end = version.IndexOf(':', RootMarker.Length);
        return IsRootHeld(token) && end > 0
            ? int.Parse(version.AsSpan(RootMarker.Length, end - RootMarker.Length), System.Globalization.CultureInfo.InvariantCulture)
            : 0;
    }

    private static RefreshTokenRecord Retired(TableEntity root, string tokenKey, DateTimeOffset retiredAt, string? thumbprint, ConcurrencyToken version) => new()
    {
        GrantId = root.PartitionKey,
        Key = tokenKey,
        IssuedAt = retiredAt,
        ExpiresAt = retiredAt,
        RetiredAt = retiredAt,
        DpopThumbprint = thumbprint,
        Version = version,
    };

    /// <summary>
    /// <c>Retired_</c> + the first 128 bits of the token's hash, in hex: a valid column name, unique per token. Null for
    /// a key that is not a refresh token's (a damaged row's <c>SuccessorHash</c>, say).
    /// </summary>
    private static string? RetiredColumn(string tokenKey)
    {
        Span<byte> hash = stackalloc byte[32];
        return tokenKey.StartsWith(RefreshTokens.RowKeyPrefix, StringComparison.Ordinal)
            && Base64Url.TryDecodeFromChars(tokenKey.AsSpan(RefreshTokens.RowKeyPrefix.Length), hash, out var written)
            && written == hash.Length
                ? RetiredPrefix + Convert.ToHexString(hash[..16])
                : null;
    }
}
