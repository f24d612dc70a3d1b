using Azure;

namespace TokenFunction.Storage;

/// <summary>
/// What a storage failure means to a caller outside Storage, which never sees the SDK's exception types: whether a
/// retry may cure it, and the status and error code storage answered with (for an operator's message).
/// </summary>
public static class StorageFaults
{
    /// <summary>Storage did not answer, timed out, throttled, or failed on its side.</summary>
    public static bool IsTransient(Exception exception) =>
        exception is RequestFailedException failed && failed.Status is 0 or 408 or 429 or 500 or 502 or 503 or 504;

    /// <summary>Whether storage answered with a refusal (a status and its error code), as opposed to not answering.</summary>
    public static bool TryDescribeRefusal(Exception exception, out int status, out string? errorCode)
    {
        (status, errorCode) = exception is RequestFailedException { Status: not 0 } failed ? (failed.Status, failed.ErrorCode) : (0, null);
        return status != 0;
    }

    /// <summary>A failure of the storage client itself, answered or not (as opposed to a bug or a bad row).</summary>
    public static bool IsStorageFailure(Exception exception) => exception is RequestFailedException;
}
