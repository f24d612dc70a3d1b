using TokenFunction.Clients.Assertions;
using TokenFunction.Protocol;

namespace TokenFunction.Storage;

/// <summary>
/// Makes each client assertion id (<c>jti</c>) single-use while its assertion could still be accepted
/// (RFC 7523 section 3, item 7), in <see cref="TableNames.ClientAssertions"/>: PartitionKey = the client's key, RowKey =
/// base64url(SHA-256(jti)). The protocol (insert decides, expired rows taken over, lost answers recognised) is
/// <see cref="SingleUseIdTable"/>'s.
/// </summary>
public sealed class ClientAssertionReplayStore(TokenTables tables, TimeProvider time) : IAssertionReplayStore
{
    private readonly SingleUseIdTable _ids = new(tables, time, TableNames.ClientAssertions);

    /// <summary>Records the jti as used until <paramref name="acceptableUntil"/>.</summary>
    /// <returns>False when the jti was already used by an assertion that is still acceptable.</returns>
    public Task<bool> TryUseAsync(string clientId, string jwtId, DateTimeOffset acceptableUntil, CancellationToken cancellationToken) =>
        _ids.TryUseAsync(ClientIdKeys.Of(clientId), RowKeyOf(jwtId), acceptableUntil, cancellationToken);

    /// <summary>Deletes up to <paramref name="maxRows"/> rows whose assertions have expired; returns how many it deleted.</summary>
    public Task<int> PurgeExpiredAsync(int maxRows, CancellationToken cancellationToken) => _ids.PurgeExpiredAsync(maxRows, cancellationToken);

    public static string RowKeyOf(string jwtId) => Base64UrlSha256.Of(jwtId);
}
