using System.Diagnostics.Metrics;

namespace BenchHost;

/// <summary>
/// Counts the storage requests the service sends, from the platform's own HttpClient metrics (the
/// <c>System.Net.Http</c> meter's <c>http.client.active_requests</c>, +1 when a request is sent, -1 when it ends). Every
/// HTTP request this process makes is a Table Storage request: the local signer makes none. That counts what goes on
/// the wire, retries included, without changing the service's composition: the Azure.Core pipeline sends through
/// HttpClient, and the measurement callback runs on the sending flow, so a token request's own tally is found in an
/// AsyncLocal. A <em>round</em> is a request sent while none of the same token request is in flight: parallel requests
/// share a round, so _rounds are the sequential storage round trips on the path to the answer.
/// </summary>
public sealed class StorageRequestCounter : IDisposable
{
    private const string MeterName = "System.Net.Http";
    private const string ActiveRequests = "http.client.active_requests";

    private readonly AsyncLocal<Tally?> _current = new();
    private readonly MeterListener _listener = new();
    private long _storageRequests;
    private long _tokenRequests;
    private long _attributedRequests;
    private long _rounds;

    public StorageRequestCounter()
    {
        _listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == MeterName && instrument.Name == ActiveRequests)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, delta, _, _) => Measure(delta));
        _listener.Start();
    }

    /// <summary>Runs one token request with its own tally and adds it to the totals when the answer is written.</summary>
    public async Task TrackAsync(Func<Task> request)
    {
        var tally = new Tally();
        _current.Value = tally;
        try
        {
            await request().ConfigureAwait(false);
        }
        finally
        {
            _current.Value = null;
            Interlocked.Increment(ref _tokenRequests);
            Interlocked.Add(ref _attributedRequests, Volatile.Read(ref tally.Requests));
            Interlocked.Add(ref _rounds, Volatile.Read(ref tally.Rounds));
        }
    }

    /// <summary>Totals since start: all storage requests (work after the answer included), token requests, and the
    /// storage requests and sequential _rounds attributed to token requests by the time each answered.</summary>
    public Snapshot Read() => new(Interlocked.Read(ref _storageRequests), Interlocked.Read(ref _tokenRequests),
        Interlocked.Read(ref _attributedRequests), Interlocked.Read(ref _rounds), RuntimeTotals.Read());

    public void Dispose() => _listener.Dispose();

    private void Measure(long delta)
    {
        var tally = _current.Value;
        if (delta > 0)
        {
            Interlocked.Increment(ref _storageRequests);
            if (tally is not null)
            {
                Interlocked.Increment(ref tally.Requests);
                if (Interlocked.Increment(ref tally.InFlight) == 1)
                {
                    Interlocked.Increment(ref tally.Rounds);
                }
            }
        }
        else if (tally is not null)
        {
            Interlocked.Decrement(ref tally.InFlight);
        }
    }

    public sealed record Snapshot(long StorageRequests, long TokenRequests, long AttributedStorageRequests, long SequentialRounds, RuntimeTotals Runtime);

    private sealed class Tally
    {
        public long Requests;
        public long Rounds;
        public long InFlight;
    }
}
