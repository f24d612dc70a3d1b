using System.Diagnostics;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;

namespace LoadGenerator;

/// <summary>
/// <c>loadgen pair</c>: the reference for the code exchange's throughput: what the same Azurite serves for the bare
/// storage work of a redemption, a point read of a row then a conditional update of it (If-Match on the ETag read), each
/// pair on its own row, at the same concurrency. Azure.Data.Tables with its defaults; the rows are made beforehand, as
/// many as <c>--rows</c> (default: one per pair), one per partition under one RowKey as the grants' root rows are.
/// Azurite finds a row through its RowKey index first, so its cost per request grows with the rows that share a RowKey:
/// the reference is fair only with as many rows as the service's code table holds (scripts/bench passes that).
/// This process's own CPU per pair is measured too: what the bare storage work of an exchange costs a .NET client with
/// the Azure SDK, the floor for the service's storage share; <c>--client raw</c> does the same on HttpClient alone
/// (<see cref="RawTableClient"/>), what a leaner client could cost. The rows past the measured pairs warm the client up.
/// <c>--operation merge</c> measures the service's own storage request instead: one conditional Merge of two columns per
/// row (If-Match on the ETag its insert answered), as an exchange redeems a code, with either client.
/// </summary>
public static class StoragePair
{
    public static async Task<int> RunAsync(Options options)
    {
        var pairs = options.Number("pairs", 2000);
        var concurrency = options.Number("concurrency", 16);
        var rowCount = Math.Max(pairs, options.Number("rows", pairs));
        var azuritePid = int.Parse(options.Required("azurite-pid"), System.Globalization.CultureInfo.InvariantCulture);
        var service = new TableServiceClient(options.Required("connection-string"));
        var table = service.GetTableClient($"BenchPair{Guid.NewGuid():N}");
        await table.CreateAsync().ConfigureAwait(false);
        try
        {
            var merge = options.Optional("operation") switch
            {
                null or "pair" => false,
                "merge" => true,
                var other => throw new ArgumentException($"--operation must be pair or merge, not {other}"),
            };
            var rows = Enumerable.Range(0, rowCount).Select(i => new TableEntity($"p{i:D6}", "r") { ["Consumed"] = false }).ToArray();
            await Parallel.ForEachAsync(rows, new ParallelOptions { MaxDegreeOfParallelism = concurrency },
                async (row, cancel) => row.ETag = (await table.AddEntityAsync(row, cancel).ConfigureAwait(false)).Headers.ETag!.Value).ConfigureAwait(false);

            // sdk: Azure.Data.Tables with its defaults (the reference); raw: HttpClient alone (RawTableClient), what a
            // leaner client would cost. Rows past the measured ones warm the client up first (the JIT's tier-up).
            using var raw = options.Optional("client") switch
            {
                null or "sdk" => null,
                "raw" => new RawTableClient(options.Required("connection-string"), table.Name),
                var other => throw new ArgumentException($"--client must be sdk or raw, not {other}"),
            };
            async Task MergeAsync(TableEntity target, CancellationToken cancellationToken)
            {
                var redeemedAt = DateTimeOffset.UtcNow;
                var redemptionId = Guid.NewGuid().ToString("N");
                if (raw is not null)
                {
                    await raw.MergeAsync(target.PartitionKey, target.RowKey, target.ETag.ToString("H"), redemptionId, redeemedAt, cancellationToken).ConfigureAwait(false);
                    return;
                }

                var update = new TableEntity(target.PartitionKey, target.RowKey) { ["RedemptionId"] = redemptionId, ["RedeemedAt"] = redeemedAt };
                await table.UpdateEntityAsync(update, target.ETag, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
            }

            async Task PairAsync(TableEntity target, CancellationToken cancellationToken)
            {
                if (raw is not null)
                {
                    await raw.ReadThenReplaceAsync(target.PartitionKey, target.RowKey, cancellationToken).ConfigureAwait(false);
                    return;
                }

                var row = (await table.GetEntityAsync<TableEntity>(target.PartitionKey, target.RowKey, cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
                row["Consumed"] = true;
                await table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
            }

            Func<TableEntity, CancellationToken, Task> operation = merge ? MergeAsync : PairAsync;
            await Parallel.ForEachAsync(rows[pairs..], new ParallelOptions { MaxDegreeOfParallelism = concurrency },
                async (row, cancel) => await operation(row, cancel).ConfigureAwait(false)).ConfigureAwait(false);

            var runner = new PhaseRunner("bare", Environment.ProcessId, azuritePid, counters: null, concurrency);
            var result = await runner.RunAsync("Azurite read+update", pairs, async (i, recorder) =>
            {
                var started = Stopwatch.GetTimestamp();
                string? error = null;
                try
                {
                    await operation(rows[i], CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception e) when (e is RequestFailedException or HttpRequestException)
                {
                    error = e is RequestFailedException failed ? $"{failed.Status} {failed.ErrorCode}" : e.Message;
                }

                recorder.Record(new TokenClient.Answer(error is null, null, Stopwatch.GetElapsedTime(started).TotalMilliseconds, error));
            }, print: false).ConfigureAwait(false);
            var unit = merge ? "merge" : "pair";
            Console.WriteLine(System.FormattableString.Invariant(
                $"bare  Azurite {(merge ? "conditional Merge" : "point read + conditional update")} ({raw switch { null => "Azure.Data.Tables", _ => "HttpClient alone" }}, {rowCount} rows, {rowCount - pairs} of them to warm up): {result.Requests} {unit}s {result.Errors} errors {result.RequestsPerSecond:F0} {unit}s/s  p50 {result.P50Ms:F1} ms  p99 {result.P99Ms:F1} ms  Azurite CPU {result.AzuriteCpuUsPerToken:F0} us/{unit}, client CPU {result.ServerCpuUsPerToken:F0} us/{unit}"));
            await File.WriteAllTextAsync(options.Required("out"), JsonSerializer.Serialize(result, Json.Options)).ConfigureAwait(false);
            return 0;
        }
        finally
        {
            await table.DeleteAsync().ConfigureAwait(false);
        }
    }
}
