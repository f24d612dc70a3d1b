using System.Diagnostics;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;

namespace LoadGenerator;

/// <summary>
/// <c>loadgen pair</c>: the reference for the code exchange's throughput: what the same Azurite serves for the bare
/// storage work of a redemption, a point read of a row then a conditional update of it (If-Match on the ETag read), each
/// pair on its own row, at the same concurrency. Azure.Data.Tables with its defaults; the rows are made beforehand.
/// This process's own CPU per pair is measured too: what the bare storage work of an exchange costs a .NET client with
/// the Azure SDK, the floor for the service's storage share.
/// </summary>
public static class StoragePair
{
    public static async Task<int> RunAsync(Options options)
    {
        var pairs = options.Number("pairs", 2000);
        var concurrency = options.Number("concurrency", 16);
        var azuritePid = int.Parse(options.Required("azurite-pid"), System.Globalization.CultureInfo.InvariantCulture);
        var service = new TableServiceClient(options.Required("connection-string"));
        var table = service.GetTableClient($"BenchPair{Guid.NewGuid():N}");
        await table.CreateAsync().ConfigureAwait(false);
        try
        {
            var rows = Enumerable.Range(0, pairs).Select(i => new TableEntity($"p{i:D6}", "r") { ["Consumed"] = false }).ToArray();
            await Parallel.ForEachAsync(rows, new ParallelOptions { MaxDegreeOfParallelism = concurrency },
                async (row, cancel) => await table.AddEntityAsync(row, cancel).ConfigureAwait(false)).ConfigureAwait(false);

            var runner = new PhaseRunner("bare", Environment.ProcessId, azuritePid, counters: null, concurrency);
            var result = await runner.RunAsync("Azurite read+update", pairs, async (i, recorder) =>
            {
                var started = Stopwatch.GetTimestamp();
                var row = (await table.GetEntityAsync<TableEntity>(rows[i].PartitionKey, rows[i].RowKey).ConfigureAwait(false)).Value;
                row["Consumed"] = true;
                string? error = null;
                try
                {
                    await table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace).ConfigureAwait(false);
                }
                catch (RequestFailedException e)
                {
                    error = $"{e.Status} {e.ErrorCode}";
                }

                recorder.Record(new TokenClient.Answer(error is null, null, Stopwatch.GetElapsedTime(started).TotalMilliseconds, error));
            }, print: false).ConfigureAwait(false);
            Console.WriteLine(System.FormattableString.Invariant(
                $"bare  Azurite point read + conditional update: {result.Requests} pairs {result.Errors} errors {result.RequestsPerSecond:F0} pairs/s  p50 {result.P50Ms:F1} ms  p99 {result.P99Ms:F1} ms  Azurite CPU {result.AzuriteCpuUsPerToken:F0} us/pair, client CPU {result.ServerCpuUsPerToken:F0} us/pair"));
            await File.WriteAllTextAsync(options.Required("out"), JsonSerializer.Serialize(result, Json.Options)).ConfigureAwait(false);
            return 0;
        }
        finally
        {
            await table.DeleteAsync().ConfigureAwait(false);
        }
    }
}
