using Azure;
using TokenFunction.Grants;

namespace TokenFunction.Storage;

/// <summary>Table Storage's ETag as the opaque <see cref="ConcurrencyToken"/> the grants carry, and back.</summary>
internal static class TableVersions
{
    public static ConcurrencyToken ToToken(ETag etag) => etag == default ? default : new ConcurrencyToken(etag.ToString());

    /// <exception cref="ArgumentException">The record was not read from a store: a write without an ETag would not be conditional.</exception>
    public static ETag ToETag(ConcurrencyToken token, string what) =>
        token.Value is { } value ? new ETag(value) : throw new ArgumentException($"{what} needs the record's version as read: without it the update would not be conditional.");
}
