using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TokenFunction.Settings;

namespace TokenFunction.Clients.Assertions;

/// <summary>
/// A client's JWKS by URL (<c>jwks_uri</c>), cached per URL so that an assertion costs no fetch in the common case.
/// <list type="bullet">
/// <item>A set is used for <see cref="ClientJwksOptions.CacheSeconds"/>, then fetched again.</item>
/// <item>A refresh (the caller saw a kid the set lacks: key rotation) fetches at most once per
/// <see cref="ClientJwksOptions.MinRefetchSeconds"/>, so unknown kids cannot make every request fetch.</item>
/// <item>Concurrent callers for one URL share one fetch.</item>
/// <item>A failed fetch is remembered for <see cref="ClientJwksOptions.MinRefetchSeconds"/>; meanwhile the last good set
/// answers while it is younger than its expiry plus <see cref="ClientJwksOptions.StaleSeconds"/>, the failure otherwise.</item>
/// </list>
/// Ages are measured with the injected <see cref="TimeProvider"/>; the fetch timeout is real time.
/// </summary>
public sealed partial class ClientJwksFetcher : IDisposable
{
    private readonly ClientJwksDownloader _downloader;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TimeSpan _cacheTime;
    private readonly TimeSpan _minRefetch;
    private readonly TimeSpan _staleTime;
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _disposed = new();

    public ClientJwksFetcher(IOptions<ClientJwksOptions> options, TimeProvider timeProvider, ILogger<ClientJwksFetcher> logger)
        : this(options, timeProvider, logger, handler: null)
    {
    }

    /// <param name="handler">The HTTP transport; null for the production one (tests pass their own when they must).</param>
    internal ClientJwksFetcher(IOptions<ClientJwksOptions> options, TimeProvider timeProvider, ILogger<ClientJwksFetcher> logger, HttpMessageHandler? handler)
    {
        ArgumentNullException.ThrowIfNull(options);
        var settings = options.Value;
        _time = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _cacheTime = TimeSpan.FromSeconds(settings.CacheSeconds);
        _minRefetch = TimeSpan.FromSeconds(settings.MinRefetchSeconds);
        _staleTime = TimeSpan.FromSeconds(settings.StaleSeconds);
        _downloader = new ClientJwksDownloader(settings, handler);
    }

    /// <summary>The client's JWKS at <paramref name="jwksUri"/>.</summary>
    /// <param name="refresh">True when the caller looked for a kid the current set lacks: fetch again unless that was done lately.</param>
    /// <exception cref="ClientJwksUnavailableException">No set could be fetched and no earlier one may stand in.</exception>
    public async Task<ClientJsonWebKeySet> GetAsync(Uri jwksUri, bool refresh, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jwksUri);
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        var entry = _entries.GetOrAdd(jwksUri.AbsoluteUri, _ => new Entry());
        Task<ClientJsonWebKeySet> fetch;
        lock (entry)
        {
            if (entry.InFlight is null)
            {
                var now = _time.GetUtcNow();
                var fresh = entry.KeySet is not null && now < entry.FetchedAt + _cacheTime;
                var fetchedLately = entry.LastAttempt is { } attempt && now < attempt + _minRefetch;
                if (fetchedLately && entry.Failure is { } failure)
                {
                    return Usable(entry, now) ?? throw failure;
                }

                if (fresh && (!refresh || fetchedLately))
                {
                    return entry.KeySet!;
                }

                // Started off the caller's context and without its token: other callers may come to wait for it.
                entry.InFlight = Task.Run(() => RefetchAsync(entry, jwksUri));
            }

            fetch = entry.InFlight;
        }

        // The caller may give up waiting; the shared fetch goes on, bounded by its own timeout.
        return await fetch.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<ClientJsonWebKeySet> RefetchAsync(Entry entry, Uri jwksUri)
    {
        ClientJsonWebKeySet? fetched = null;
        ClientJwksUnavailableException? failure = null;
        try
        {
            fetched = await _downloader.DownloadAsync(jwksUri, _disposed.Token).ConfigureAwait(false);
        }
        catch (ClientJwksUnavailableException e)
        {
            failure = e;
        }
        catch
        {
            // Disposal or a fault of this service: nothing to remember, the next caller tries afresh.
            lock (entry)
            {
                entry.InFlight = null;
            }

            throw;
        }

        ClientJsonWebKeySet? stale;
        // One lock clears the in-flight fetch and records its outcome, so no caller sees neither.
        // (GetAsync holds it while it publishes the task, so this also waits for that.)
        lock (entry)
        {
            entry.InFlight = null;
            var now = _time.GetUtcNow();
            entry.LastAttempt = now;
            if (fetched is not null)
            {
                entry.KeySet = fetched;
                entry.FetchedAt = now;
                entry.Failure = null;
                LogFetched(_logger, jwksUri, fetched.Keys.Count);
                return fetched;
            }

            entry.Failure = failure;
            stale = Usable(entry, now);
        }

        if (stale is not null)
        {
            LogServingStale(_logger, jwksUri, failure!.Message);
            return stale;
        }

        LogFailed(_logger, jwksUri, failure!.Message);
        throw failure;
    }

    /// <summary>The last good set while it is fresh or within its stale time; null otherwise. Call under the entry's lock.</summary>
    private ClientJsonWebKeySet? Usable(Entry entry, DateTimeOffset now) =>
        entry.KeySet is { } keySet && now < entry.FetchedAt + _cacheTime + _staleTime ? keySet : null;

    public void Dispose()
    {
        if (!_disposed.IsCancellationRequested)
        {
            // Cancelled, not disposed: a fetch still running may read its token.
            _disposed.Cancel();
            _downloader.Dispose();
        }
    }

    [LoggerMessage(EventId = 4201, Level = LogLevel.Information, Message = "Fetched the client JWKS at {JwksUri}: {Keys} usable keys.")]
    private static partial void LogFetched(ILogger logger, Uri jwksUri, int keys);

    [LoggerMessage(EventId = 4202, Level = LogLevel.Warning, Message = "Fetching the client JWKS at {JwksUri} failed; the last good set is used meanwhile. {Reason}")]
    private static partial void LogServingStale(ILogger logger, Uri jwksUri, string reason);

    [LoggerMessage(EventId = 4203, Level = LogLevel.Warning, Message = "Fetching the client JWKS at {JwksUri} failed and no earlier set may stand in. {Reason}")]
    private static partial void LogFailed(ILogger logger, Uri jwksUri, string reason);

    /// <summary>What is known of one URL; guarded by locking the entry.</summary>
    private sealed class Entry
    {
        public ClientJsonWebKeySet? KeySet { get; set; }

        public DateTimeOffset FetchedAt { get; set; }

        public DateTimeOffset? LastAttempt { get; set; }

        public ClientJwksUnavailableException? Failure { get; set; }

        public Task<ClientJsonWebKeySet>? InFlight { get; set; }
    }
}
