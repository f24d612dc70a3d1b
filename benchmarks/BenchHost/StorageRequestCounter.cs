using System.Diagnostics.Metrics;

namespace BenchHost;

/// <summary>
/// Counts the storage requests the service sends, from the platform's own HttpClient metrics (the
/// <c>System.Net.Http</c> meter's <c>http.client.active_requests</c>, +1 when a request is sent, -1 when it ends). Every
/// HTTP request this process makes is a Table Storage request: the local signer makes none. That counts what goes on
/// the wire, retries included, without changing the service's composition: the Azure.Core pipeline sends through
/// HttpClient, and the measurement callback runs on the sending flow, so a token request's own tally is found in an
/// AsyncLocal. A <em>round</em> is a request sent while none of the same token request is in flight: parallel requests
/// share a round, so rounds are the sequential storage round trips on the path to the answer.
/// </summary>
public sealed class StorageRequestCounter : IDisposable
{
    private const string MeterName = "System.Net.Http";
    private const string ActiveRequests = "http.client.active_requests";

    private readonly AsyncLocal<Tally?> current = new();
    private readonly MeterListener listener = new();
    private long storageRequests;
    private long tokenRequests;
    private long attributedRequests;
    private long rounds;

    public StorageRequestCounter()
    {
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == MeterName && instrument.Name == ActiveRequests)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, delta, _, _) => Measure(delta));
        listener.Start();
    }

    /// <summary>Runs one token request with its own tally and adds it to the totals when the answer is written.</summary>
    public async Task TrackAsync(Func<Task> request)
    {
        var tally = new Tally();
        current.Value = tally;
        try
        {
            await request().ConfigureAwait(false);
        }
        finally
        {
            current.Value = null;
            Interlocked.Increment(ref tokenRequests);
            Interlocked.Add(ref attributedRequests, Volatile.Read(ref tally.Requests));
            Interlocked.Add(ref rounds, Volatile.Read(ref tally.Rounds));
        }
    }

    /// <summary>Totals since start: all storage requests (work after the answer included), token requests, and the
    /// storage requests and sequential rounds attributed to token requests by the time each answered.</summary>
    public Snapshot Read() => new(Interlocked.Read(ref storageRequests), Interlocked.Read(ref tokenRequests),
        Interlocked.Read(ref attributedRequests), Interlocked.Read(ref rounds));

    public void Dispose() => listener.Dispose();

    private void Measure(long delta)
    {
        var tally = current.Value;
        if (delta > 0)
        {
            Interlocked.Increment(ref storageRequests);
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

    public sealed record Snapshot(long StorageRequests, long TokenRequests, long AttributedStorageRequests, long SequentialRounds);

    private sealed class Tally
    {
        public long Requests;
        public long Rounds;
        public long InFlight;
    }
}
