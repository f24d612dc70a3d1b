using System.Globalization;
using TokenFunction.Protocol;

namespace TokenFunction.Storage;

/// <summary>
/// Keys of the index tables. <see cref="TableNames.Expiry"/>: PartitionKey = the UTC hour a grant becomes purgeable
/// (<c>yyyyMMddHH</c>), RowKey = grant id. <see cref="TableNames.GrantIndex"/>: PartitionKey = <c>sub:</c> +
/// base64url(SHA-256(subject)) or <c>client:</c> + the client's key (<see cref="ClientIdKeys"/>), RowKey = grant id.
/// </summary>
public static class GrantIndexKeys
{
    public const string SubjectPrefix = "sub:";
    public const string ClientPrefix = "client:";

    public static string HourBucket(DateTimeOffset instant) =>
        instant.UtcDateTime.ToString("yyyyMMddHH", CultureInfo.InvariantCulture);

    /// <summary>Subjects may hold characters keys may not (/ \ # ?), so they are hashed.</summary>
    public static string BySubject(string subject) =>
        SubjectPrefix + Base64UrlSha256.Of(subject);

    public static string ByClient(string clientId) => ClientPrefix + ClientIdKeys.Of(clientId);
}
