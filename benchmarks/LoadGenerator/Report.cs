using System.Globalization;
using System.Text.Json;

namespace LoadGenerator;

/// <summary>
/// <c>loadgen report</c>: the side-by-side summary of one scripts/bench run, ours against the peer, phase by phase, with
/// the ratios of server CPU per token (ours / peer), over one or more rounds, then the storage reference, cold start and
/// working set.
/// Figures only: nothing is judged here.
/// </summary>
public static class Report
{
    public static int Run(Options options)
    {
        // One file per round (comma-separated): scripts/bench alternates ours and the peer, so that a machine whose
        // speed drifts (a shared virtual machine) moves both sides of a ratio alike; the ratio claimed is the median.
        var ours = Files(options.Required("ours")).Select(Read<RunResult>).ToList();
        var peer = Files(options.Required("peer")).Select(Read<RunResult>).ToList();
        if (ours.Count != peer.Count)
        {
            throw new ArgumentException("--ours and --peer need one file per round each");
        }

        var pairs = Files(options.Required("pair")).Select(Read<PhaseResult>).ToList();
        if (pairs.Count != ours.Count)
        {
            throw new ArgumentException("--pair needs one file per round");
        }

        var line = new string('-', 132);
        Console.WriteLine();
        Console.WriteLine(Invariant($"== Summary: {ours[0].Concurrency} concurrent clients, access tokens signed {options.Required("alg")} by both; CPU is the server process's alone (utime+stime), per token"));
        Console.WriteLine(ours.Count == 1
            ? "   one round"
            : Invariant($"   {ours.Count} rounds, ours then the peer in each; every figure is the median over the rounds, the ratio the median of the rounds' ratios"));
        Console.WriteLine(line);
        Console.WriteLine(Invariant($"{"phase",-24}| {"ours: req/s",11} {"p50 ms",7} {"p99 ms",7} {"CPU us",7} | {"peer: req/s",11} {"p50 ms",7} {"p99 ms",7} {"CPU us",7} | {"CPU ours/peer",13} | {"ours: storage req (seq)",23} {"Azurite CPU us",14}"));
        Console.WriteLine(line);
        var rounds = new List<string>();
        var runtime = new List<string>();
        for (var phase = 0; phase < ours[0].Phases.Count; phase++)
        {
            var o = ours.Select(run => run.Phases[phase]).ToList();
            var p = peer.Select(run => run.Phases[phase]).ToList();
            var ratios = o.Zip(p, (a, b) => a.ServerCpuUsPerToken / b.ServerCpuUsPerToken).ToList();
            Console.WriteLine(Invariant(
                $"{o[0].Name,-24}| {Median(o, r => r.RequestsPerSecond),11:F0} {Median(o, r => r.P50Ms),7:F1} {Median(o, r => r.P99Ms),7:F1} {Median(o, r => r.ServerCpuUsPerToken),7:F0} | {Median(p, r => r.RequestsPerSecond),11:F0} {Median(p, r => r.P50Ms),7:F1} {Median(p, r => r.P99Ms),7:F1} {Median(p, r => r.ServerCpuUsPerToken),7:F0} | {Median(ratios, r => r),13:F2} | {Median(o, r => r.StorageRequestsPerToken ?? double.NaN),14:F2} ({Median(o, r => r.SequentialStorageRoundsPerToken ?? double.NaN),5:F2}) {Median(o, r => r.AzuriteCpuUsPerToken ?? double.NaN),14:F0}"));
            rounds.Add(Invariant($"{o[0].Name} {string.Join(", ", ratios.Select(r => r.ToString("F2", CultureInfo.InvariantCulture)))}"));
            if (o.All(r => r.Runtime is not null && r.ServerWaitsPerToken is not null) && p.All(r => r.ServerWaitsPerToken is not null))
            {
                var medians = new RuntimePerToken(
                    Median(o, r => r.Runtime!.JitUs), Median(o, r => r.Runtime!.GcPauseUs), Median(o, r => r.Runtime!.Gen0PerThousand),
                    Median(o, r => r.Runtime!.AllocatedKiB), Median(o, r => r.Runtime!.WorkItems), Median(o, r => r.Runtime!.LockContentions));
                runtime.Add(Invariant($"   {o[0].Name}: thread waits per token ours {Median(o, r => r.ServerWaitsPerToken!.Value):F1}, peer {Median(p, r => r.ServerWaitsPerToken!.Value):F1}; ours' {PhaseRunner.DescribeRuntime(medians)}"));
            }
        }

        Console.WriteLine(line);
        if (ours.Count > 1)
        {
            Console.WriteLine(Invariant($"CPU ours/peer per round: {string.Join("; ", rounds)}"));
        }

        if (runtime.Count > 0)
        {
            Console.WriteLine("where the CPU goes besides the requests' own code (thread waits: voluntary context switches of the server process; medians):");
            runtime.ForEach(Console.WriteLine);
        }

        if (options.Optional("ours-memory") is { } memoryFiles)
        {
            var memory = Files(memoryFiles).Select(Read<RunResult>).ToList();
            if (memory.Count != peer.Count)
            {
                throw new ArgumentException("--ours-memory needs one file per round");
            }

            ReportInMemory(memory, peer);
        }

        // Each round's pair ran against that round's Azurite, right after ours' run: that run is its comparison.
        var shares = ours.Zip(pairs, (run, pair) => run.Phases[0].RequestsPerSecond / pair.RequestsPerSecond * 100).ToList();
        Console.WriteLine(Invariant(
            $"bare Azurite point read + conditional update, {ours[0].Concurrency} concurrent: {Median(pairs, p => p.RequestsPerSecond):F0} pairs/s (p50 {Median(pairs, p => p.P50Ms):F1} ms, p99 {Median(pairs, p => p.P99Ms):F1} ms, Azurite CPU {Median(pairs, p => p.AzuriteCpuUsPerToken ?? double.NaN):F0} us/pair, the .NET client's CPU {Median(pairs, p => p.ServerCpuUsPerToken):F0} us/pair); ours' code exchanges/s are {Median(shares, share => share):F0}% of it{(shares.Count > 1 ? $" (per round, against that round's Azurite: {string.Join(", ", shares.Select(share => share.ToString("F0", CultureInfo.InvariantCulture) + "%"))})" : string.Empty)}"));
        foreach (var name in new[] { "cold-ours", "cold-ours-code", "cold-peer" })
        {
            if (options.Optional(name) is { } file)
            {
                var cold = Read<ColdStartResult>(file);
                Console.WriteLine(Invariant($"cold start, {cold.Target}, process start to first token ({cold.Kind}): median {cold.MedianMs:F0} ms (min {cold.MinMs:F0}, max {cold.MaxMs:F0}, {cold.Runs} runs)"));
            }
        }

        Console.WriteLine(Invariant($"working set (RSS) under load, peak per phase over the rounds: ours {Peaks(ours)}; peer {Peaks(peer)}"));
        foreach (var name in new[] { "soak-ours", "soak-peer" })
        {
            if (options.Optional(name) is { } file)
            {
                var soak = Read<SoakResult>(file);
                Console.WriteLine(Invariant(
                    $"soak, {soak.Target}: {soak.Seconds:F0} s, {soak.Requests} requests, RSS at 60 s {soak.ResidentAfterFirstMinuteMiB:F0} MiB, at the end {soak.ResidentAtEndMiB:F0} MiB (growth {soak.ResidentAtEndMiB - soak.ResidentAfterFirstMinuteMiB:+0;-0} MiB), max {soak.ResidentMaxMiB:F0} MiB"));
            }
        }

        return 0;
    }

    /// <summary>
    /// Ours with the grants in memory (the bench host's BENCH_STORE=memory), against the same round's peer: the service's
    /// own work on the peer's terms, without the storage request per token that its in-memory store does not make.
    /// </summary>
    private static void ReportInMemory(List<RunResult> memory, List<RunResult> peer)
    {
        Console.WriteLine("ours with the grants in memory (no storage request per token, as the peer's in-memory store; the same host, handlers, signing and log):");
        for (var phase = 0; phase < memory[0].Phases.Count; phase++)
        {
            var m = memory.Select(run => run.Phases[phase]).ToList();
            var ratios = m.Zip(peer.Select(run => run.Phases[phase]), (a, b) => a.ServerCpuUsPerToken / b.ServerCpuUsPerToken).ToList();
            Console.WriteLine(Invariant(
                $"   {m[0].Name,-24} {Median(m, r => r.RequestsPerSecond),6:F0} req/s  p50 {Median(m, r => r.P50Ms),5:F1} ms  p99 {Median(m, r => r.P99Ms),5:F1} ms  CPU {Median(m, r => r.ServerCpuUsPerToken),5:F0} us/token  storage {Median(m, r => r.StorageRequestsPerToken ?? double.NaN):F2} req/token  CPU ours/peer {Median(ratios, r => r):F2} (rounds {string.Join(", ", ratios.Select(r => r.ToString("F2", CultureInfo.InvariantCulture)))})"));
        }
    }

    private static string Peaks(List<RunResult> runs) =>
        string.Join(", ", runs[0].Phases.Select((p, i) => Invariant($"{p.Name} {runs.Max(run => run.Phases[i].ServerRssPeakMiB):F0} MiB")));

    private static string[] Files(string list) => list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static double Median<T>(IReadOnlyCollection<T> items, Func<T, double> value)
    {
        var sorted = items.Select(value).Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static T Read<T>(string file) => JsonSerializer.Deserialize<T>(File.ReadAllText(file), Json.Options) ?? throw new InvalidDataException($"{file} is empty");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
