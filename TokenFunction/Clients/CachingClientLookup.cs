using System.Collections.Concurrent;

namespace TokenFunction.Clients;

/// <summary>
/// Client registrations kept for a bounded time (<see cref="Settings.ClientsOptions.CacheSeconds"/>) in front of the
/// stored ones: a registration is read from storage at most once per bound per instance, so a removal or a change
/// takes effect within it. Only registrations found are kept: an unknown client id is read every time (a client
/// registered just now works at once), and nobody can fill memory by sending made-up ids. At most
/// <see cref="MaxEntries"/> registrations are kept; beyond that a registration is read and not kept.
/// </summary>
public sealed class CachingClientLookup(IClientLookup inner, TimeProvider time, TimeSpan lifetime) : IClientLookup
{
    /// <summary>Far more than the clients of one deployment; only registered ids can enter, so this bounds memory, not hits.</summary>
    public const int MaxEntries = 10_000;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public async Task<OAuthClient?> FindAsync(string clientId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_entries.TryGetValue(clientId, out var cached) && now < cached.ExpiresAt)
        {
            return cached.Client;
        }

        var client = await inner.FindAsync(clientId, cancellationToken).ConfigureAwait(false);
        if (client is null)
        {
            // Removed: forget it now rather than at the next expiry check.
            _entries.TryRemove(clientId, out _);
            return null;
        }

        var entry = new Entry(client, now + lifetime);
        if (_entries.Count >= MaxEntries && !_entries.ContainsKey(clientId))
        {
            RemoveExpired(now);
            if (_entries.Count >= MaxEntries)
            {
                return client;
            }
        }

        _entries[clientId] = entry;
        return client;
    }

    private void RemoveExpired(DateTimeOffset now)
    {
        foreach (var (id, entry) in _entries)
        {
            if (now >= entry.ExpiresAt)
            {
                _entries.TryRemove(new KeyValuePair<string, Entry>(id, entry));
            }
        }
    }

    private sealed record Entry(OAuthClient Client, DateTimeOffset ExpiresAt);
}
