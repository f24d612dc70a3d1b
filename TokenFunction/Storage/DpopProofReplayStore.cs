using TokenFunction.Grants;
using TokenFunction.Protocol;

namespace TokenFunction.Storage;

/// <summary>
/// Makes each DPoP proof single-use while it could still be accepted (RFC 9449 section 11.1), in
/// <see cref="TableNames.DpopProofs"/>: PartitionKey = the key's RFC 7638 thumbprint (base64url, a valid key), RowKey =
/// base64url(SHA-256(jti)), so one client's jti cannot collide with another key's and no jti reaches a key in clear.
/// The protocol is <see cref="SingleUseIdTable"/>'s, shared with client assertion ids.
/// </summary>
public sealed class DpopProofReplayStore(TokenTables tables, TimeProvider time) : IDpopProofReplayStore
{
    private readonly SingleUseIdTable _ids = new(tables, time, TableNames.DpopProofs);

    public Task<bool> TryUseAsync(string thumbprint, string jwtId, DateTimeOffset acceptableUntil, CancellationToken cancellationToken) =>
        _ids.TryUseAsync(thumbprint, Base64UrlSha256.Of(jwtId), acceptableUntil, cancellationToken);

    /// <summary>Deletes up to <paramref name="maxRows"/> rows of proofs that have expired; returns how many it deleted.</summary>
    public Task<int> PurgeExpiredAsync(int maxRows, CancellationToken cancellationToken) => _ids.PurgeExpiredAsync(maxRows, cancellationToken);
}
