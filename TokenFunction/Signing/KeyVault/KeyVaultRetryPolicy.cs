using System.Globalization;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace TokenFunction.Signing.KeyVault;

/// <summary>
/// Azure.Core's retry (exponential back-off, honours <c>Retry-After</c>), bounded: a throttled response whose
/// <c>Retry-After</c> exceeds <see cref="KeyVaultKeysClientOptions.MaxRetryAfter"/> is not retried, so the caller
/// fails fast instead of hanging for a server-chosen time.
/// </summary>
internal sealed class KeyVaultRetryPolicy : RetryPolicy
{
    private readonly TimeSpan _maxRetryAfter;

    public KeyVaultRetryPolicy(int maxRetries, DelayStrategy delayStrategy, TimeSpan maxRetryAfter)
        : base(maxRetries, delayStrategy)
    {
        _maxRetryAfter = maxRetryAfter;
    }

    protected override bool ShouldRetry(HttpMessage message, Exception? exception) =>
        !ExceedsRetryAfterBound(message) && base.ShouldRetry(message, exception);

    protected override ValueTask<bool> ShouldRetryAsync(HttpMessage message, Exception? exception) =>
        ExceedsRetryAfterBound(message) ? ValueTask.FromResult(false) : base.ShouldRetryAsync(message, exception);

    private bool ExceedsRetryAfterBound(HttpMessage message) =>
        message.HasResponse && ServerDelay(message.Response) is { } delay && delay > _maxRetryAfter;

    /// <summary>The delay the server asks for: retry-after-ms, x-ms-retry-after-ms, or Retry-After (seconds or HTTP date).</summary>
    internal static TimeSpan? ServerDelay(Response response)
    {
        foreach (string name in (string[])["retry-after-ms", "x-ms-retry-after-ms"])
        {
            if (response.Headers.TryGetValue(name, out string? ms) &&
                double.TryParse(ms, NumberStyles.Float, CultureInfo.InvariantCulture, out double milliseconds))
            {
                return TimeSpan.FromMilliseconds(milliseconds);
            }
        }

        if (response.Headers.TryGetValue("Retry-After", out string? value))
        {
            if (int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int seconds))
            {
                return TimeSpan.FromSeconds(seconds);
            }

            if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset at))
            {
                return at - DateTimeOffset.UtcNow;
            }
        }

        return null;
    }
}
