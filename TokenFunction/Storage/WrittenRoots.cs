using System.Collections.Concurrent;
using TokenFunction.Grants;

namespace TokenFunction.Storage;

/// <summary>
/// Grants' root rows as this process last wrote them: after the code exchange's Merge and after each rotation's, the
/// grant and its live refresh token under the ETag that write answered. The next rotation of that token is then tried
/// against that ETag without reading the row first (docs/storage.md). A row that moved on since then (revoked, rotated
/// by another instance, purged) fails the If-Match and is read and judged as always. A stale entry therefore costs one
/// wasted attempt and never changes an answer. So only what a conditional write checks may be answered from here, never
/// revocation's lookup or the grace window's successor. Bounded: two generations of <see cref="GenerationSize"/>
/// grants each; when the newer one fills, the older is dropped whole.
/// </summary>
internal sealed class WrittenRoots
{
    /// <summary>Grants per generation: a few MiB at most, and all of a busy instance's grants between refreshes.</summary>
    public const int GenerationSize = 2048;

    private readonly Lock _swap = new();
    private volatile ConcurrentDictionary<string, Written> _newer = new(StringComparer.Ordinal);
    private volatile ConcurrentDictionary<string, Written> _older = new(StringComparer.Ordinal);
    private int _added;

    /// <summary>The grant and <paramref name="tokenKey"/>'s record as last written, when that write left it the live token.</summary>
    public (AuthorizationGrant Grant, RefreshTokenRecord Live)? Find(string grantId, string tokenKey) =>
        (_newer.TryGetValue(grantId, out var written) || _older.TryGetValue(grantId, out written))
        && string.Equals(written.Live.Key, tokenKey, StringComparison.Ordinal)
            ? (written.Grant, written.Live)
            : null;

    /// <summary>
    /// Records a write that left <paramref name="grant"/> and its live token <paramref name="live"/> as given, their
    /// versions the ETag the write answered.
    /// </summary>
    public void Wrote(AuthorizationGrant grant, RefreshTokenRecord live)
    {
        _newer[grant.GrantId] = new Written(grant, live);
        if (Interlocked.Increment(ref _added) < GenerationSize)
        {
            return;
        }

        lock (_swap)
        {
            if (Volatile.Read(ref _added) >= GenerationSize)
            {
                _older = _newer;
                _newer = new(StringComparer.Ordinal);
                Volatile.Write(ref _added, 0);
            }
        }
    }

    /// <summary>Drops what is known of the grant: a write of it failed or changed it in a way not recorded here.</summary>
    public void Forget(string grantId)
    {
        _newer.TryRemove(grantId, out _);
        _older.TryRemove(grantId, out _);
    }

    private sealed record Written(AuthorizationGrant Grant, RefreshTokenRecord Live);
}
