using System.Globalization;
using System.Text.Json;

namespace LoadGenerator;

/// <summary>
/// <c>loadgen report</c>: the side-by-side summary of one scripts/bench run, ours against the peer, phase by phase, with
/// the ratios of server CPU per token (ours / peer), then the storage reference, cold start and working set.
/// Figures only: nothing is judged here.
/// </summary>
public static class Report
{
    public static int Run(Options options)
    {
        var ours = Read<RunResult>(options.Required("ours"));
        var peer = Read<RunResult>(options.Required("peer"));
        var pair = Read<PhaseResult>(options.Required("pair"));
        var line = new string('-', 132);
        Console.WriteLine();
        Console.WriteLine(Invariant($"== Summary: {ours.Concurrency} concurrent clients, access tokens signed {options.Required("alg")} by both; CPU is the server process's alone (utime+stime), per token"));
        Console.WriteLine(line);
        Console.WriteLine(Invariant($"{"phase",-24}| {"ours: req/s",11} {"p50 ms",7} {"p99 ms",7} {"CPU us",7} | {"peer: req/s",11} {"p50 ms",7} {"p99 ms",7} {"CPU us",7} | {"CPU ours/peer",13} | {"ours: storage req (seq)",23} {"Azurite CPU us",14}"));
        Console.WriteLine(line);
        foreach (var (o, p) in ours.Phases.Zip(peer.Phases))
        {
            Console.WriteLine(Invariant(
                $"{o.Name,-24}| {o.RequestsPerSecond,11:F0} {o.P50Ms,7:F1} {o.P99Ms,7:F1} {o.ServerCpuUsPerToken,7:F0} | {p.RequestsPerSecond,11:F0} {p.P50Ms,7:F1} {p.P99Ms,7:F1} {p.ServerCpuUsPerToken,7:F0} | {o.ServerCpuUsPerToken / p.ServerCpuUsPerToken,13:F2} | {o.StorageRequestsPerToken,14:F2} ({o.SequentialStorageRoundsPerToken,5:F2}) {o.AzuriteCpuUsPerToken,14:F0}"));
        }

        Console.WriteLine(line);
        var exchange = ours.Phases[0];
        Console.WriteLine(Invariant(
            $"bare Azurite point read + conditional update, {ours.Concurrency} concurrent: {pair.RequestsPerSecond:F0} pairs/s (p50 {pair.P50Ms:F1} ms, p99 {pair.P99Ms:F1} ms, Azurite CPU {pair.AzuriteCpuUsPerToken:F0} us/pair, the .NET client's CPU {pair.ServerCpuUsPerToken:F0} us/pair); ours' code exchanges/s are {exchange.RequestsPerSecond / pair.RequestsPerSecond * 100:F0}% of it"));
        foreach (var name in new[] { "cold-ours", "cold-ours-code", "cold-peer" })
        {
            if (options.Optional(name) is { } file)
            {
                var cold = Read<ColdStartResult>(file);
                Console.WriteLine(Invariant($"cold start, {cold.Target}, process start to first token ({cold.Kind}): median {cold.MedianMs:F0} ms (min {cold.MinMs:F0}, max {cold.MaxMs:F0}, {cold.Runs} runs)"));
            }
        }

        Console.WriteLine(Invariant($"working set (RSS) under load, peak per phase: ours {Peaks(ours)}; peer {Peaks(peer)}"));
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

    private static string Peaks(RunResult run) => string.Join(", ", run.Phases.Select(p => Invariant($"{p.Name} {p.ServerRssPeakMiB:F0} MiB")));

    private static T Read<T>(string file) => JsonSerializer.Deserialize<T>(File.ReadAllText(file), Json.Options) ?? throw new InvalidDataException($"{file} is empty");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
