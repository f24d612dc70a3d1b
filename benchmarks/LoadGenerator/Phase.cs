using System.Diagnostics;
using System.Net.Http.Json;

namespace LoadGenerator;

/// <summary>What one phase measured. CPU and storage figures are per successful-or-not token request of the phase.</summary>
public sealed record PhaseResult(
    string Name,
    int Requests,
    int Errors,
    string? FirstError,
    double Seconds,
    double RequestsPerSecond,
    double P50Ms,
    double P99Ms,
    double ServerCpuUsPerToken,
    double? AzuriteCpuUsPerToken,
    double? StorageRequestsPerToken,
    double? SequentialStorageRoundsPerToken,
    double ServerRssPeakMiB,
    double? ServerRssEndMiB,
    double? ServerWaitsPerToken = null,
    RuntimePerToken? Runtime = null);

/// <summary>
/// Where the bench host's CPU goes besides the requests' own code, per token of the phase: JIT compilation (tier-up),
/// GC pauses, gen0 collections per thousand tokens, KiB allocated, thread-pool work items and contended locks.
/// </summary>
public sealed record RuntimePerToken(double JitUs, double GcPauseUs, double Gen0PerThousand, double AllocatedKiB, double WorkItems, double LockContentions);

/// <summary>Collects one phase's answers from the concurrent workers.</summary>
public sealed class Recorder
{
    private readonly Lock _gate = new();
    private readonly List<double> _latencies = [];

    public int Errors { get; private set; }

    public string? FirstError { get; private set; }

    public void Record(TokenClient.Answer answer)
    {
        lock (_gate)
        {
            _latencies.Add(answer.Milliseconds);
            if (!answer.Ok)
            {
                Errors++;
                FirstError ??= answer.Error;
            }
        }
    }

    public List<double> SortedLatencies()
    {
        lock (_gate)
        {
            var sorted = _latencies.ToList();
            sorted.Sort();
            return sorted;
        }
    }
}

/// <summary>
/// Runs a phase: <c>items</c> work items taken in order by <c>concurrency</c> workers (each item may send several
/// requests, e.g. a refresh chain), with the server's (and Azurite's) CPU time read before and after, the server's
/// resident set sampled throughout, and the bench host's storage counters read before and after when given.
/// </summary>
public sealed class PhaseRunner(string target, int serverPid, int? azuritePid, Uri? counters, int concurrency)
{
    private static readonly HttpClient s_counterClient = new();

    public async Task<PhaseResult> RunAsync(string name, int items, Func<int, Recorder, Task> work, bool print = true)
    {
        var recorder = new Recorder();
        var countersBefore = await ReadCountersAsync().ConfigureAwait(false);
        var serverCpuBefore = ProcessStats.CpuMicroseconds(serverPid);
        var serverWaits = new ThreadWaits(serverPid);
        var azuriteCpuBefore = azuritePid is { } a ? ProcessStats.CpuMicroseconds(a) : 0;
        var clock = Stopwatch.StartNew();
        var sampler = new ResidentSampler(serverPid, TimeSpan.FromMilliseconds(250), serverWaits);
        await using (sampler.ConfigureAwait(false))
        {
            var next = -1;
            await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < items)
                {
                    await work(i, recorder).ConfigureAwait(false);
                }
            }))).ConfigureAwait(false);
            clock.Stop();
        }

        var serverCpu = ProcessStats.CpuMicroseconds(serverPid) - serverCpuBefore;
        var serverWaitCount = serverWaits.SinceStart();
        double? azuriteCpu = azuritePid is { } b ? ProcessStats.CpuMicroseconds(b) - azuriteCpuBefore : null;
        var countersAfter = await ReadCountersAsync().ConfigureAwait(false);
        var _latencies = recorder.SortedLatencies();
        var requests = _latencies.Count;
        double? PerToken(Func<Counters, long> figure) => countersBefore is null || countersAfter is null || requests == 0
            ? null
            : (double)(figure(countersAfter) - figure(countersBefore)) / requests;

        var result = new PhaseResult(
            name,
            requests,
            recorder.Errors,
            recorder.FirstError,
            clock.Elapsed.TotalSeconds,
            requests / clock.Elapsed.TotalSeconds,
            Percentile(_latencies, 0.50),
            Percentile(_latencies, 0.99),
            requests == 0 ? 0 : serverCpu / requests,
            azuriteCpu / Math.Max(1, requests),
            PerToken(c => c.StorageRequests),
            PerToken(c => c.SequentialRounds),
            sampler.PeakMiB,
            ProcessStats.ResidentMiB(serverPid),
            requests == 0 ? null : (double)serverWaitCount / requests,
            countersBefore is null || countersAfter is null || requests == 0 ? null : RuntimeDelta(countersBefore.Runtime, countersAfter.Runtime, requests));
        if (print)
        {
            Console.WriteLine(Describe(target, result));
        }

        return result;
    }

    public static string Describe(string target, PhaseResult r) =>
        FormattableString.Invariant($"{target,-5} {r.Name,-22} {r.Requests,6} req {r.Errors,4} errors {r.RequestsPerSecond,6:F0} req/s  p50 {r.P50Ms,6:F1} ms  p99 {r.P99Ms,6:F1} ms  server CPU {r.ServerCpuUsPerToken,6:F0} us/token")
        + (r.AzuriteCpuUsPerToken is { } a ? FormattableString.Invariant($"  Azurite CPU {a,5:F0} us/token") : string.Empty)
        + (r.StorageRequestsPerToken is { } s ? FormattableString.Invariant($"  storage {s:F2} req/token ({r.SequentialStorageRoundsPerToken:F2} sequential)") : string.Empty)
        + FormattableString.Invariant($"  RSS peak {r.ServerRssPeakMiB:F0} MiB")
        + (r.ServerWaitsPerToken is { } w ? FormattableString.Invariant($"  waits {w:F1}/token") : string.Empty)
        + (r.Runtime is { } rt ? "\n      " + DescribeRuntime(rt) : string.Empty)
        + (r.FirstError is { } e ? "\n      first error: " + Shorten(e) : string.Empty);

    /// <summary>The bench host's runtime figures per token (scripts/bench prints them under each of ours' phases).</summary>
    public static string DescribeRuntime(RuntimePerToken r) =>
        FormattableString.Invariant($"runtime per token: JIT {r.JitUs:F0} us, GC pauses {r.GcPauseUs:F0} us ({r.Gen0PerThousand:F1} gen0 per 1000 tokens), {r.AllocatedKiB:F1} KiB allocated, {r.WorkItems:F1} thread-pool work items, {r.LockContentions:F2} contended locks");

    private static RuntimePerToken RuntimeDelta(RuntimeTotals before, RuntimeTotals after, int requests) => new(
        (after.JitMilliseconds - before.JitMilliseconds) * 1000 / requests,
        (after.GcPauseMilliseconds - before.GcPauseMilliseconds) * 1000 / requests,
        (after.Gen0Collections - before.Gen0Collections) * 1000.0 / requests,
        (after.AllocatedBytes - before.AllocatedBytes) / 1024.0 / requests,
        (double)(after.ThreadPoolWorkItems - before.ThreadPoolWorkItems) / requests,
        (double)(after.LockContentions - before.LockContentions) / requests);

    public static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "...";

    private async Task<Counters?> ReadCountersAsync() =>
        counters is null ? null : await s_counterClient.GetFromJsonAsync<Counters>(counters).ConfigureAwait(false);

    /// <summary>The bench host's GET /bench/counters (BenchHost.StorageRequestCounter.Snapshot).</summary>
    private sealed record Counters(long StorageRequests, long TokenRequests, long AttributedStorageRequests, long SequentialRounds, RuntimeTotals Runtime);

    /// <summary>BenchHost.RuntimeTotals: the host's runtime totals since it started.</summary>
    private sealed record RuntimeTotals(double JitMilliseconds, double GcPauseMilliseconds, int Gen0Collections, long AllocatedBytes, long ThreadPoolWorkItems, long LockContentions);
}
