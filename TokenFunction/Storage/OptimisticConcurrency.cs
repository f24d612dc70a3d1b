using Azure;

namespace TokenFunction.Storage;

/// <summary>
/// The one optimistic-concurrency protocol of the Table stores: read (by the caller, keeping the ETag), conditional
/// write, and after a failed write a re-read that decides what the failure meant. A failure alone proves nothing:
/// Azure.Core retries a write whose answer was lost, and that retry fails (412, 409) although the first attempt won;
/// Azurite fails concurrent batches ("Transaction Overlap!", 500) although nobody won. So the record as it now is
/// decides: this request's own write on it (won), another request's (lost: the caller judges), or still unchanged in what
/// matters (write again, against the new ETag, at most <c>maxAttempts</c> times).
/// </summary>
internal static class OptimisticConcurrency
{
    /// <param name="state">What the first write is made against (the ETags read).</param>
    /// <param name="write">The conditional write; its result is the answer when it succeeds.</param>
    /// <param name="isContention">Which failures are judged by a re-read; any other propagates as it is.</param>
    /// <param name="reread">Reads the record(s) again.</param>
    /// <param name="judge">Decides from the re-read: settled with a result, or written again against a new state.</param>
    /// <param name="maxAttempts">Writes in all; after the last one fails, the failure propagates (or <paramref name="whenExhausted"/>'s).</param>
    /// <param name="whenExhausted">The exception to throw when every attempt failed; null: the last failure itself.</param>
    public static async Task<TResult> WriteAsync<TState, TCurrent, TResult>(
        TState state,
        Func<TState, CancellationToken, Task<TResult>> write,
        Func<RequestFailedException, bool> isContention,
        Func<CancellationToken, Task<TCurrent>> reread,
        Func<TCurrent, RequestFailedException, Verdict<TState, TResult>> judge,
        int maxAttempts,
        CancellationToken cancellationToken,
        Func<RequestFailedException, Exception>? whenExhausted = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await write(state, cancellationToken).ConfigureAwait(false);
            }
            catch (RequestFailedException e) when (isContention(e))
            {
                var verdict = judge(await reread(cancellationToken).ConfigureAwait(false), e);
                if (verdict.IsSettled)
                {
                    return verdict.Result!;
                }

                if (attempt >= maxAttempts)
                {
                    if (whenExhausted?.Invoke(e) is { } replacement)
                    {
                        throw replacement;
                    }

                    throw;
                }

                state = verdict.NextState!;
            }
        }
    }
}

/// <summary>What a re-read after a failed conditional write decided.</summary>
internal readonly record struct Verdict<TState, TResult>(bool IsSettled, TResult? Result, TState? NextState)
{
    /// <summary>The outcome is known (this request's own success, or another's): answer <paramref name="result"/>.</summary>
    public static Verdict<TState, TResult> Settled(TResult result) => new(true, result, default);

    /// <summary>Nothing decisive happened: write again against <paramref name="state"/>.</summary>
    public static Verdict<TState, TResult> WriteAgain(TState state) => new(false, default, state);
}
