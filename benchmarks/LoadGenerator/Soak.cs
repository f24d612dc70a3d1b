using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace LoadGenerator;

/// <summary>
/// <c>loadgen soak</c> (BENCH_LONG=1): a longer run for memory. Each worker, until the time is up, exchanges the next
/// code, rotates that grant's refresh token <c>refresh-chain</c> times and asks for one client_credentials token; when the
/// codes run out it keeps rotating its last refresh token. The server's resident set is sampled every 10 s.
/// </summary>
public static class Soak
{
    private static readonly TimeSpan s_sampleInterval = TimeSpan.FromSeconds(10);

    public static async Task<int> RunAsync(Options options)
    {
        var target = options.Required("name");
        var duration = TimeSpan.FromSeconds(options.Number("seconds", 300));
        var concurrency = options.Number("concurrency", 16);
        var chain = options.Number("refresh-chain", 2);
        var verifier = options.Required("verifier");
        var pid = int.Parse(options.Required("server-pid"), CultureInfo.InvariantCulture);
        var codes = File.ReadAllLines(options.Required("codes")).Where(line => line.Length > 0).ToArray();
        using var client = TokenRun.Client(options);

        var recorder = new Recorder();
        var next = -1;
        var requests = 0L;
        var samples = new List<SoakSample>();
        var cpuBefore = ProcessStats.CpuMicroseconds(pid);
        var clock = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource(duration);

        void Sample()
        {
            var sample = new SoakSample(clock.Elapsed.TotalSeconds, ProcessStats.ResidentMiB(pid) ?? 0, Interlocked.Read(ref requests));
            samples.Add(sample);
            if (samples.Count % 3 == 1)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{target,-5} soak t={sample.Seconds,4:F0} s  RSS {sample.ResidentMiB,5:F0} MiB  {sample.Requests} requests"));
            }
        }

        var sampling = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(s_sampleInterval);
            Sample();
            while (await timer.WaitForNextTickAsync(stop.Token).ConfigureAwait(false))
            {
                Sample();
            }
        });

        async Task Record(Task<TokenClient.Answer> request, Action<TokenClient.Answer>? then = null)
        {
            var answer = await request.ConfigureAwait(false);
            recorder.Record(answer);
            Interlocked.Increment(ref requests);
            then?.Invoke(answer);
        }

        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            string? token = null;
            while (!stop.IsCancellationRequested)
            {
                var i = Interlocked.Increment(ref next);
                if (i < codes.Length)
                {
                    await Record(client.ExchangeAsync(codes[i], verifier), a => token = a.RefreshToken ?? token).ConfigureAwait(false);
                }

                for (var step = 0; step < chain && token is not null && !stop.IsCancellationRequested; step++)
                {
                    await Record(client.RefreshAsync(token), a => token = a.RefreshToken).ConfigureAwait(false);
                }

                await Record(client.ClientCredentialsAsync()).ConfigureAwait(false);
            }
        }))).ConfigureAwait(false);
        clock.Stop();
        try
        {
            await sampling.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        Sample();
        var cpu = ProcessStats.CpuMicroseconds(pid) - cpuBefore;
        var afterFirstMinute = samples.FirstOrDefault(s => s.Seconds >= 60) ?? samples[0];
        var result = new SoakResult(target, clock.Elapsed.TotalSeconds, (int)requests, recorder.Errors, recorder.FirstError, Math.Min(next + 1, codes.Length),
            cpu / Math.Max(1, requests), afterFirstMinute.ResidentMiB, samples[^1].ResidentMiB, samples.Max(s => s.ResidentMiB), samples);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{target,-5} soak: {result.Seconds:F0} s, {result.Requests} requests ({result.CodesUsed} code exchanges) {result.Errors} errors, {result.Requests / result.Seconds:F0} req/s, server CPU {result.CpuUsPerToken:F0} us/token; " +
            $"RSS at 60 s {result.ResidentAfterFirstMinuteMiB:F0} MiB, at the end {result.ResidentAtEndMiB:F0} MiB (growth {result.ResidentAtEndMiB - result.ResidentAfterFirstMinuteMiB:+0;-0} MiB), max {result.ResidentMaxMiB:F0} MiB"));
        await File.WriteAllTextAsync(options.Required("out"), JsonSerializer.Serialize(result, Json.Options)).ConfigureAwait(false);
        return 0;
    }
}

public sealed record SoakSample(double Seconds, double ResidentMiB, long Requests);

public sealed record SoakResult(string Target, double Seconds, int Requests, int Errors, string? FirstError, int CodesUsed, double CpuUsPerToken,
    double ResidentAfterFirstMinuteMiB, double ResidentAtEndMiB, double ResidentMaxMiB, List<SoakSample> Samples);
