using System.Globalization;

namespace LoadGenerator;

/// <summary>
/// The times a process's threads blocked and were woken again during a phase (voluntary context switches): each is a
/// hand-off a request paid for, the cost that grows when a server waits on storage between requests. /proc gives each
/// live thread's count only; a thread that ends takes its count with it (the kernel keeps it for the process's own
/// getrusage), so a sum over the threads alive at the end undercounts, and goes below zero when pool threads retire
/// during the phase. So each thread's count is kept as last seen (<see cref="Sample"/>, with the resident set), and a
/// thread that ended counts up to its last sample.
/// </summary>
public sealed class ThreadWaits
{
    private const string Field = "voluntary_ctxt_switches:";

    private readonly int _pid;
    private readonly Dictionary<int, long> _atStart;
    private readonly Dictionary<int, long> _lastSeen;
    private readonly Lock _gate = new();

    public ThreadWaits(int pid)
    {
        _pid = pid;
        _atStart = Read(pid);
        _lastSeen = new Dictionary<int, long>(_atStart);
    }

    public void Sample()
    {
        var now = Read(_pid);
        lock (_gate)
        {
            foreach (var (thread, switches) in now)
            {
                _lastSeen[thread] = switches;
            }
        }
    }

    /// <summary>Voluntary switches since construction, of every thread seen (a thread that ended: up to its last sample).</summary>
    public long SinceStart()
    {
        Sample();
        lock (_gate)
        {
            return _lastSeen.Sum(thread => thread.Value - _atStart.GetValueOrDefault(thread.Key));
        }
    }

    private static Dictionary<int, long> Read(int pid)
    {
        var counts = new Dictionary<int, long>();
        foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
        {
            try
            {
                foreach (var line in File.ReadLines(Path.Combine(task, "status")))
                {
                    if (line.StartsWith(Field, StringComparison.Ordinal))
                    {
                        counts[int.Parse(Path.GetFileName(task), CultureInfo.InvariantCulture)] =
                            long.Parse(line[Field.Length..].Trim(), CultureInfo.InvariantCulture);
                    }
                }
            }
            catch (IOException)
            {
                // The thread ended between the listing and the read: its last sample stands.
            }
        }

        return counts;
    }
}
