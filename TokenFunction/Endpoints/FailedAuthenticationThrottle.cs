using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Options;
using TokenFunction.Settings;

namespace TokenFunction.Endpoints;

/// <summary>
/// Counts failed client authentications per source address in a fixed window that opens at the address's first failure;
/// an address over the limit is refused (429) until its window ends. Keyed by address only, never by client id, so that
/// nobody can lock a client out from another address. In memory, per instance: a fleet behind Front Door adds its WAF
/// rate limits. Every request asks <see cref="IsBlocked"/>, so an address that never failed costs one dictionary miss:
/// no lock shared by all addresses, and nothing kept for it.
/// </summary>
public sealed class FailedAuthenticationThrottle(IOptions<ThrottlingOptions> options)
{
    /// <summary>Addresses kept beyond which the ones whose window has ended are forgotten.</summary>
    private const int SweepAbove = 4096;

    private readonly ConcurrentDictionary<IPAddress, FailureWindow> _windows = new();

    /// <summary>Failed authentications an address may make per <see cref="Window"/>; 0: no throttling.</summary>
    public int Limit { get; } = options.Value.MaxFailedAuthentications;

    public TimeSpan Window { get; } = TimeSpan.FromSeconds(options.Value.WindowSeconds);

    /// <summary>Whether the address has used up its failures in the current window, and how long until it may try again.</summary>
    public bool IsBlocked(IPAddress address, out TimeSpan retryAfter)
    {
        retryAfter = TimeSpan.Zero;
        if (Limit == 0 || !_windows.TryGetValue(address, out var window))
        {
            return false;
        }

        lock (window)
        {
            var elapsed = Stopwatch.GetElapsedTime(window.OpenedAt);
            if (elapsed >= Window || window.Failures < Limit)
            {
                return false;
            }

            retryAfter = Window - elapsed;
            return true;
        }
    }

    /// <summary>Counts one failed authentication from the address.</summary>
    /// <returns>True when this failure used up the address's last permit: from now on it is refused.</returns>
    public bool RecordFailure(IPAddress address)
    {
        if (Limit == 0)
        {
            return false;
        }

        var window = _windows.GetOrAdd(address, static _ => new FailureWindow { OpenedAt = Stopwatch.GetTimestamp() });
        bool usedUp;
        lock (window)
        {
            if (Stopwatch.GetElapsedTime(window.OpenedAt) >= Window)
            {
                (window.OpenedAt, window.Failures) = (Stopwatch.GetTimestamp(), 0);
            }

            if (window.Failures >= Limit)
            {
                return false;
            }

            usedUp = ++window.Failures == Limit;
        }

        if (_windows.Count > SweepAbove)
        {
            ForgetEndedWindows();
        }

        return usedUp;
    }

    /// <summary>
    /// Drops the windows that have ended. A failure recorded at that moment on a window being dropped is lost; only a
    /// source with thousands of addresses failing at once can meet that, and it loses one count, not the throttle.
    /// </summary>
    private void ForgetEndedWindows()
    {
        foreach (var (address, window) in _windows)
        {
            if (Stopwatch.GetElapsedTime(Volatile.Read(ref window.OpenedAt)) >= Window)
            {
                _windows.TryRemove(new KeyValuePair<IPAddress, FailureWindow>(address, window));
            }
        }
    }

    /// <summary>An address's current window: when it opened (Stopwatch ticks) and its failures; guarded by its own lock.</summary>
    private sealed class FailureWindow
    {
        public long OpenedAt;
        public int Failures;
    }
}
