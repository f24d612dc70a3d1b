using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace LoadGenerator;

/// <summary>
/// <c>loadgen coldstart</c>: starts the server command (after <c>--</c>) again and again, and times each run from the
/// process start to the first token it serves (polling every few milliseconds until it answers 200), then stops it.
/// One uncounted run first (it fills the file cache). Also the server's CPU time and resident set at that moment.
/// </summary>
public static class ColdStart
{
    private static readonly TimeSpan s_pollInterval = TimeSpan.FromMilliseconds(5);
    private static readonly TimeSpan s_giveUpAfter = TimeSpan.FromSeconds(60);

    public static async Task<int> RunAsync(Options options)
    {
        var target = options.Required("name");
        var runs = options.Number("runs", 5);
        var kind = options.Required("kind");
        var verifier = options.Optional("verifier");
        var codes = options.Optional("codes") is { } file ? File.ReadAllLines(file).Where(line => line.Length > 0).ToArray() : [];
        if (kind == "authorization_code" && (codes.Length < runs + 1 || verifier is null))
        {
            throw new ArgumentException($"--kind authorization_code needs --verifier and {runs + 1} codes in --codes");
        }

        var results = new List<ColdStartRun>();
        for (var run = 0; run <= runs; run++)
        {
            using var client = TokenRun.Client(options);
            var measured = await StartOnceAsync(options.Command, () => kind == "authorization_code"
                ? client.ExchangeAsync(codes[run], verifier!)
                : client.ClientCredentialsAsync()).ConfigureAwait(false);
            if (run > 0)
            {
                results.Add(measured);
            }
        }

        var wall = results.Select(r => r.Milliseconds).Order().ToList();
        var cpu = results.Select(r => r.ServerCpuMilliseconds).Order().ToList();
        var rss = results.Select(r => r.ResidentMiB).Order().ToList();
        var summary = new ColdStartResult(target, kind, results.Count, wall[0], Median(wall), wall[^1], Median(cpu), Median(rss), results);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{target,-5} cold start, process start to first token ({kind}): {summary.Runs} runs, min {summary.MinMs:F0} ms, median {summary.MedianMs:F0} ms, max {summary.MaxMs:F0} ms; server CPU until then {summary.MedianServerCpuMs:F0} ms, RSS {summary.MedianResidentMiB:F0} MiB (medians)"));
        await File.WriteAllTextAsync(options.Required("out"), JsonSerializer.Serialize(summary, Json.Options)).ConfigureAwait(false);
        return 0;
    }

    private static async Task<ColdStartRun> StartOnceAsync(List<string> command, Func<Task<TokenClient.Answer>> request)
    {
        var start = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        command.Skip(1).ToList().ForEach(start.ArgumentList.Add);
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {command[0]}");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            while (clock.Elapsed < s_giveUpAfter && !process.HasExited)
            {
                TokenClient.Answer answer;
                try
                {
                    answer = await request().ConfigureAwait(false);
                }
                catch (HttpRequestException)
                {
                    await Task.Delay(s_pollInterval).ConfigureAwait(false);
                    continue;
                }

                var elapsed = clock.Elapsed.TotalMilliseconds;
                if (!answer.Ok)
                {
                    throw new InvalidOperationException($"the first answer was not a token: {answer.Error}");
                }

                return new ColdStartRun(elapsed, ProcessStats.CpuMicroseconds(process.Id) / 1000, ProcessStats.ResidentMiB(process.Id) ?? 0);
            }

            throw new InvalidOperationException(process.HasExited ? $"the server exited with {process.ExitCode} before serving a token" : "no token within 60 s");
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            await process.WaitForExitAsync().ConfigureAwait(false);
        }
    }

    private static double Median(List<double> sorted) => sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
}

public sealed record ColdStartRun(double Milliseconds, double ServerCpuMilliseconds, double ResidentMiB);

public sealed record ColdStartResult(string Target, string Kind, int Runs, double MinMs, double MedianMs, double MaxMs, double MedianServerCpuMs, double MedianResidentMiB, List<ColdStartRun> Samples);
