using System.Diagnostics;
using Azure.Core;
using Azure.Core.Pipeline;

namespace TokenFunction.Storage;

/// <summary>
/// One time budget for all the storage work of one request, retries included. Without it a single operation could
/// take the SDK's network timeout times its tries (tens of seconds), and a write that committed after the service had
/// given up would meet the client's retry as a replay. Inside <see cref="Start"/>'s scope every Table Storage request
/// carries the deadline (Azure.Core's message-properties scope flows it to the pipeline), and
/// <see cref="StorageBudgetRetryPolicy"/> cuts each try at the deadline and starts none after it.
/// </summary>
public static class StorageBudget
{
    internal const string DeadlineProperty = "TokenFunction.StorageDeadline";

    /// <summary>Starts the budget for the storage calls made in the returned scope (and the tasks it starts).</summary>
    public static IDisposable Start(TimeSpan budget) =>
        HttpPipeline.CreateHttpMessagePropertiesScope(new Dictionary<string, object?>
        {
            // Real time on purpose: a network budget is about elapsed time, not the service's notion of now.
            [DeadlineProperty] = Stopwatch.GetTimestamp() + (long)(budget.TotalSeconds * Stopwatch.Frequency),
        });

    /// <summary>Time left before the message's deadline; null when it was sent outside any budget (tokenctl, the purge).</summary>
    internal static TimeSpan? Remaining(HttpMessage message) =>
        message.TryGetProperty(DeadlineProperty, out var value) && value is long deadline
            ? Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), deadline)
            : null;
}

/// <summary>The storage budget ran out before the request's storage work was done: a dependency failure (503).</summary>
public sealed class StorageBudgetExceededException() : TimeoutException("The request's storage budget ran out before its storage work was done.");

/// <summary>
/// Azure.Core's retry (exponential back-off, per-try network timeout), bounded by the request's
/// <see cref="StorageBudget"/>: each try may take only the time left, no try starts after the deadline, and no retry is
/// planned once it has passed.
/// </summary>
internal sealed class StorageBudgetRetryPolicy(int maxRetries, DelayStrategy delayStrategy, TimeSpan networkTimeout) : RetryPolicy(maxRetries, delayStrategy)
{
    protected override void OnSendingRequest(HttpMessage message) => Bound(message);

    protected override ValueTask OnSendingRequestAsync(HttpMessage message)
    {
        Bound(message);
        return ValueTask.CompletedTask;
    }

    protected override bool ShouldRetry(HttpMessage message, Exception? exception) =>
        !IsSpent(message) && base.ShouldRetry(message, exception);

    protected override ValueTask<bool> ShouldRetryAsync(HttpMessage message, Exception? exception) =>
        IsSpent(message) ? ValueTask.FromResult(false) : base.ShouldRetryAsync(message, exception);

    private void Bound(HttpMessage message)
    {
        if (StorageBudget.Remaining(message) is not { } remaining)
        {
            return;
        }

        // Thrown before the try is sent: the retry loop lets it out as it is.
        if (remaining <= TimeSpan.Zero)
        {
            throw new StorageBudgetExceededException();
        }

        message.NetworkTimeout = remaining < networkTimeout ? remaining : networkTimeout;
    }

    private static bool IsSpent(HttpMessage message) => StorageBudget.Remaining(message) is { } remaining && remaining <= TimeSpan.Zero;
}
