using System.Globalization;

namespace LoadGenerator;

/// <summary>
/// Another process's CPU time and resident set, read from /proc: the servers are measured from outside, so the load
/// generator's own work never counts.
/// </summary>
public static class ProcessStats
{
    /// <summary>USER_HZ: /proc reports CPU times in these ticks, 100 per second on Linux whatever the kernel's HZ.</summary>
    private const double TicksPerSecond = 100;

    /// <summary>utime + stime of the whole process (all its threads), in microseconds; 10 ms resolution.</summary>
    public static double CpuMicroseconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        // The command name (field 2) is in parentheses and may hold spaces: count fields after the last ')'.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var utime = long.Parse(fields[11], CultureInfo.InvariantCulture); // field 14
        var stime = long.Parse(fields[12], CultureInfo.InvariantCulture); // field 15
        return (utime + stime) / TicksPerSecond * 1_000_000;
    }

    /// <summary>The resident set (VmRSS), which is what .NET calls the working set on Linux, in MiB; null once the process is gone.</summary>
    public static double? ResidentMiB(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    return long.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024.0;
                }
            }
        }
        catch (IOException)
        {
        }

        return null;
    }
}

/// <summary>Samples a process's resident set while a phase runs, for its peak, and its threads' waits with it.</summary>
public sealed class ResidentSampler : IAsyncDisposable
{
    private readonly int _pid;
    private readonly ThreadWaits? _waits;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampling;

    public ResidentSampler(int pid, TimeSpan interval, ThreadWaits? waits = null)
    {
        _pid = pid;
        _waits = waits;
        _sampling = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(interval);
            do
            {
                Sample();
            }
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false));
        });
    }

    public double PeakMiB { get; private set; }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _sampling.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        Sample();
        _stop.Dispose();
    }

    private void Sample()
    {
        _waits?.Sample();
        if (ProcessStats.ResidentMiB(_pid) is { } rss && rss > PeakMiB)
        {
            PeakMiB = rss;
        }
    }
}
