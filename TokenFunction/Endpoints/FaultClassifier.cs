using Azure;
using TokenFunction.Signing.KeyVault;

namespace TokenFunction.Endpoints;

/// <summary>Tells faults a retry may cure (answered with 503 and Retry-After) from the rest (500).</summary>
public static class FaultClassifier
{
    public static bool IsTransient(Exception exception) => exception switch
    {
        KeyVaultSigningException signing => signing.IsTransient,
        RequestFailedException failed => failed.Status is 0 or 408 or 429 or 500 or 502 or 503 or 504,
        HttpRequestException or TimeoutException or IOException => true,
        OperationCanceledException => true,
        AggregateException aggregate => aggregate.InnerExceptions.All(IsTransient),
        _ => false,
    };

    /// <summary>How long the dependency asked callers to wait, when it said so.</summary>
    public static TimeSpan? RetryAfter(Exception exception) => (exception as KeyVaultSigningException)?.RetryAfter;
}
