using System.Diagnostics;
using Azure.Core;
using Azure.Core.Pipeline;
using TokenFunction.Telemetry;

namespace TokenFunction.Storage;

/// <summary>
/// Measures every Table Storage call for <c>oauth.storage.duration</c>, in the one place all of them pass: the client's
/// pipeline, per call (retries included). The operation comes from the HTTP request alone (a point read, a query, an
/// entity group transaction, a write), so no store has to remember to measure. A call fails when it ends in an
/// exception or an answer the stores do not expect: a missing row (404) and a lost optimistic-concurrency race
/// (409, 412) are outcomes the code handles, not failures.
/// </summary>
internal sealed class StorageDurationPolicy : HttpPipelinePolicy
{
    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        var started = Stopwatch.GetTimestamp();
        var failed = true;
        try
        {
            ProcessNext(message, pipeline);
            failed = IsFailure(message);
        }
        finally
        {
            TokenMetrics.StorageCall(OperationOf(message.Request), failed, Stopwatch.GetElapsedTime(started));
        }
    }

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        var started = Stopwatch.GetTimestamp();
        var failed = true;
        try
        {
            await ProcessNextAsync(message, pipeline).ConfigureAwait(false);
            failed = IsFailure(message);
        }
        finally
        {
            TokenMetrics.StorageCall(OperationOf(message.Request), failed, Stopwatch.GetElapsedTime(started));
        }
    }

    /// <summary>read: GET of one entity (its keys in the path, a query's are in its filter); query: any other GET; transaction: POST $batch; write: the rest.</summary>
    internal static string OperationOf(Request request)
    {
        var path = request.Uri.Path;
        if (request.Method == RequestMethod.Get)
        {
            return path.Contains("PartitionKey", StringComparison.Ordinal) ? TelemetryNames.Value.Read : TelemetryNames.Value.Query;
        }

        return request.Method == RequestMethod.Post && path.EndsWith("/$batch", StringComparison.Ordinal)
            ? TelemetryNames.Value.Transaction
            : TelemetryNames.Value.Write;
    }

    private static bool IsFailure(HttpMessage message) =>
        !message.HasResponse || message.Response.Status is >= 400 and not (404 or 409 or 412);
}
