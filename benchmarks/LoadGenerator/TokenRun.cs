using System.Text.Json;

namespace LoadGenerator;

/// <summary>
/// <c>loadgen run</c>: against one token server, a warm-up (not measured), then the measured phases in order: code
/// exchanges, refresh chains (each grant's refresh token rotated <c>refresh-chain</c> times in a row, the chains side by
/// side), client_credentials. Prints a line per phase and writes the figures to <c>--out</c> (JSON) for the report.
/// </summary>
public static class TokenRun
{
    public static async Task<int> RunAsync(Options options)
    {
        var target = options.Required("name");
        var concurrency = options.Number("concurrency", 16);
        var warmup = options.Number("warmup", 200);
        var refreshes = options.Number("refreshes", 2000);
        var chain = options.Number("refresh-chain", 4);
        var clientCredentials = options.Number("client-credentials", 2000);
        var verifier = options.Required("verifier");
        var codes = File.ReadAllLines(options.Required("codes")).Where(line => line.Length > 0).ToArray();
        if (codes.Length <= warmup)
        {
            throw new ArgumentException($"{codes.Length} codes: more than the {warmup} of the warm-up are needed");
        }

        using var client = Client(options);
        var runner = new PhaseRunner(target, int.Parse(options.Required("server-pid"), System.Globalization.CultureInfo.InvariantCulture),
            options.Optional("azurite-pid") is { } azurite ? int.Parse(azurite, System.Globalization.CultureInfo.InvariantCulture) : null,
            options.Optional("counters") is { } counters ? new Uri(counters) : null, concurrency);

        // Warm-up: every path once per item, so that the measured phases run on jitted (tiered-up) code and warm caches.
        var warmTokens = new string?[warmup];
        await runner.RunAsync("warm-up exchanges", warmup, async (i, r) => warmTokens[i] = await Exchange(client, codes[i], verifier, r).ConfigureAwait(false), print: false).ConfigureAwait(false);
        await runner.RunAsync("warm-up refreshes", warmup, async (i, r) => await Refresh(client, warmTokens[i], r).ConfigureAwait(false), print: false).ConfigureAwait(false);
        await runner.RunAsync("warm-up cc", warmup, async (_, r) => r.Record(await client.ClientCredentialsAsync().ConfigureAwait(false)), print: false).ConfigureAwait(false);

        var measured = codes[warmup..];
        var refreshTokens = new string?[measured.Length];
        var phases = new List<PhaseResult>
        {
            await runner.RunAsync("code exchange", measured.Length, async (i, r) => refreshTokens[i] = await Exchange(client, measured[i], verifier, r).ConfigureAwait(false)).ConfigureAwait(false),
        };

        var heads = refreshTokens.Where(t => t is not null).Take(Math.Max(1, refreshes / chain)).ToArray();
        phases.Add(await runner.RunAsync($"refresh (chains of {chain})", heads.Length, async (i, r) =>
        {
            var token = heads[i];
            for (var step = 0; step < chain && token is not null; step++)
            {
                token = await Refresh(client, token, r).ConfigureAwait(false);
            }
        }).ConfigureAwait(false));
        phases.Add(await runner.RunAsync("client_credentials", clientCredentials, async (_, r) => r.Record(await client.ClientCredentialsAsync().ConfigureAwait(false))).ConfigureAwait(false));

        await File.WriteAllTextAsync(options.Required("out"), JsonSerializer.Serialize(new RunResult(target, concurrency, phases), Json.Options)).ConfigureAwait(false);
        return phases.Sum(p => p.Errors) == 0 ? 0 : 1;
    }

    public static TokenClient Client(Options options) => new(
        new Uri(options.Required("token-endpoint")), options.Required("client-id"), options.Required("client-secret"),
        options.Required("redirect-uri"), options.Required("scope"));

    public static async Task<string?> Exchange(TokenClient client, string code, string verifier, Recorder recorder)
    {
        var answer = await client.ExchangeAsync(code, verifier).ConfigureAwait(false);
        recorder.Record(answer);
        return answer.RefreshToken;
    }

    public static async Task<string?> Refresh(TokenClient client, string? token, Recorder recorder)
    {
        if (token is null)
        {
            return null;
        }

        var answer = await client.RefreshAsync(token).ConfigureAwait(false);
        recorder.Record(answer);
        return answer.RefreshToken;
    }
}

public sealed record RunResult(string Target, int Concurrency, List<PhaseResult> Phases);

public static class Json
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { WriteIndented = true };
}
