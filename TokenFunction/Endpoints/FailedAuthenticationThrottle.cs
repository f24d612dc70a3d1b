using System.Collections.Concurrent;
using System.Diagnostics;
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
    /// <summary>Addresses remembered beyond which the ones whose last failure is older than a window are forgotten.</summary>
    private const int SweepAbove = 4096;

    private readonly PartitionedRateLimiter<IPAddress>? _failures;

    /// <summary>
    /// When each address last failed (Stopwatch ticks, the limiter's clock is real time too). Every request asks
    /// <see cref="IsBlocked"/>; an address without a failure in the last window cannot be blocked, so it is answered here,
    /// without the limiter, whose lookup takes one lock for all addresses and makes a partition for each new one.
    /// </summary>
    private readonly ConcurrentDictionary<IPAddress, long> _lastFailure = new();

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

        if (!FailedWithinWindow(address))
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

        _lastFailure[address] = Stopwatch.GetTimestamp();
        if (_lastFailure.Count > SweepAbove)
        {
            ForgetOlderThanWindow();
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

    /// <summary>A fixed window ends at most <see cref="Window"/> after any failure counted in it.</summary>
    private bool FailedWithinWindow(IPAddress address) =>
        _lastFailure.TryGetValue(address, out var at) && Stopwatch.GetElapsedTime(at) < Window;

    private void ForgetOlderThanWindow()
    {
        foreach (var (address, at) in _lastFailure)
        {
            if (Stopwatch.GetElapsedTime(at) >= Window)
            {
                _lastFailure.TryRemove(new KeyValuePair<IPAddress, long>(address, at));
            }
        }
    }
}
