namespace BenchHost;

/// <summary>
/// The runtime's own running totals since the process started, which scripts/bench reads before and after a phase to
/// say where a token's CPU goes besides the request's own code: the JIT's compilation (tier-up of hot methods, on a
/// background thread, which counts in the process's CPU), the GC's pauses and collections, the bytes allocated, the
/// thread pool's work items (each a hand-off between threads) and contended locks.
/// </summary>
public sealed record RuntimeTotals(
    double JitMilliseconds,
    double GcPauseMilliseconds,
    int Gen0Collections,
    long AllocatedBytes,
    long ThreadPoolWorkItems,
    long LockContentions)
{
    public static RuntimeTotals Read() => new(
        System.Runtime.JitInfo.GetCompilationTime().TotalMilliseconds,
        GC.GetTotalPauseDuration().TotalMilliseconds,
        GC.CollectionCount(0),
        GC.GetTotalAllocatedBytes(),
        ThreadPool.CompletedWorkItemCount,
        Monitor.LockContentionCount);
}
