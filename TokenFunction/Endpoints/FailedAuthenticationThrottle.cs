using System.Net;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using TokenFunction.Settings;

namespace TokenFunction.Endpoints;

/// <summary>
/// Counts failed client authentications per source address in a fixed window; an address over the limit is refused
/// (429) until its window ends. Keyed by address only, never by client id, so that nobody can lock a client out from
/// another address. In memory, per instance: a fleet behind Front Door adds its WAF rate limits.
/// </summary>
public sealed class FailedAuthenticationThrottle : IDisposable
{
    private readonly PartitionedRateLimiter<IPAddress>? _failures;

    public FailedAuthenticationThrottle(IOptions<ThrottlingOptions> options)
    {
        var settings = options.Value;
        Limit = settings.MaxFailedAuthentications;
        Window = TimeSpan.FromSeconds(settings.WindowSeconds);
        if (settings.MaxFailedAuthentications == 0)
        {
            return;
        }

        var window = new FixedWindowRateLimiterOptions
        {
            PermitLimit = settings.MaxFailedAuthentications,
            Window = TimeSpan.FromSeconds(settings.WindowSeconds),
            QueueLimit = 0,
        };
        // Idle partitions (addresses that stopped failing) are dropped by the partitioned limiter itself.
        _failures = PartitionedRateLimiter.Create<IPAddress, IPAddress>(address => RateLimitPartition.GetFixedWindowLimiter(address, _ => window));
    }

    /// <summary>Failed authentications an address may make per <see cref="Window"/>; 0: no throttling.</summary>
    public int Limit { get; }

    public TimeSpan Window { get; }

    /// <summary>Whether the address has used up its failures in the current window, and how long until it may try again.</summary>
    public bool IsBlocked(IPAddress address, out TimeSpan retryAfter)
    {
        retryAfter = TimeSpan.Zero;
        if (_failures is null)
        {
            return false;
        }

        // Asking for no permit only tells whether one is left; it consumes nothing.
        using var lease = _failures.AttemptAcquire(address, permitCount: 0);
        if (lease.IsAcquired)
        {
            return false;
        }

        retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
        return true;
    }

    /// <summary>Counts one failed authentication from the address.</summary>
    /// <returns>True when this failure used up the address's last permit: from now on it is refused.</returns>
    public bool RecordFailure(IPAddress address)
    {
        if (_failures is null)
        {
            return false;
        }

        using (var lease = _failures.AttemptAcquire(address))
        {
            if (!lease.IsAcquired)
            {
                return false;
            }
        }

        return _failures.GetStatistics(address)?.CurrentAvailablePermits == 0;
    }

    public void Dispose() => _failures?.Dispose();
}
