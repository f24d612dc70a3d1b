using TokenFunction.Signing;
using TokenFunction.Storage;

namespace TokenFunction.Endpoints;

/// <summary>Tells faults a retry may cure (answered with 503 and Retry-After) from the rest (500).</summary>
public static class FaultClassifier
{
    public static bool IsTransient(Exception exception) => exception switch
    {
        SigningException signing => signing.IsTransient,
        _ when StorageFaults.IsStorageFailure(exception) => StorageFaults.IsTransient(exception),
        HttpRequestException or TimeoutException or IOException => true,
        OperationCanceledException => true,
        AggregateException aggregate => aggregate.InnerExceptions.All(IsTransient),
        _ => false,
    };

    /// <summary>How long the dependency asked callers to wait, when it said so.</summary>
    public static TimeSpan? RetryAfter(Exception exception) => (exception as SigningException)?.RetryAfter;
}
