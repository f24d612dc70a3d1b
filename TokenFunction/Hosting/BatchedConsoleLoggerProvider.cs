using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Logging;

namespace TokenFunction.Hosting;

/// <summary>
/// The local host's console log, in the platform's simple console format ("info: Category[id]", the message on the next
/// lines, indented, then the exception). The platform's console provider wakes its writer thread for each entry and
/// writes each entry with a system call of its own: at two entries per token that was 4 to 5 of a token's 12 thread
/// waits, and this provider took 6 to 12% off the CPU of an exchange and a refresh (docs/performance.md, part 7).
/// Here the request's thread formats its entry and queues it without waking anyone; the writer wakes every
/// <see cref="Interval"/> and writes what has queued in one write. A warning or worse wakes it at once, and disposal
/// (the host's shutdown) writes the rest, so only an abrupt end of the process loses entries: those of the last
/// interval at most. Aliased "Console", so <c>Logging:Console:LogLevel</c>
/// settings apply to it as they did to the platform's.
/// </summary>
[ProviderAlias("Console")]
public sealed class BatchedConsoleLoggerProvider : ILoggerProvider
{
    /// <summary>How long an Information entry may wait in the queue.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    /// <summary>Entries queued at most; past it an entry is dropped and counted, and the count is written with the next batch.</summary>
    public const int MaxQueued = 10_000;

    private const string Padding = "      ";

    private readonly Stream _output;
    private readonly TimeSpan _interval;
    private readonly ConcurrentQueue<string> _queue = new();
    // No spinning before the wait: the writer waits 100 ms at a time, and the default spin before each wait
    // was some nine sched_yield calls per wake-up, each a context switch when another process wanted the CPU.
    private readonly ManualResetEventSlim _wake = new(initialState: false, spinCount: 0);
    private readonly Lock _outputGate = new();
    private readonly Thread _writer;
    private int _queued;
    private long _dropped;
    private volatile bool _stopping;

    public BatchedConsoleLoggerProvider()
        : this(Console.OpenStandardOutput(), Interval)
    {
    }

    /// <param name="output">Where the entries go (stdout; a test's stream).</param>
    /// <param name="interval">How long an entry below Warning may wait.</param>
    public BatchedConsoleLoggerProvider(Stream output, TimeSpan interval)
    {
        _output = output;
        _interval = interval;
        _writer = new Thread(WriteLoop) { IsBackground = true, Name = "Console log writer" };
        _writer.Start();
    }

    public ILogger CreateLogger(string categoryName) => new BatchedConsoleLogger(categoryName, this);

    public void Dispose()
    {
        if (_stopping)
        {
            return;
        }

        _stopping = true;
        _wake.Set();
        _writer.Join();
        _wake.Dispose();
    }

    private void Enqueue(string entry, bool urgent)
    {
        if (Interlocked.Increment(ref _queued) > MaxQueued)
        {
            Interlocked.Decrement(ref _queued);
            Interlocked.Increment(ref _dropped);
            return;
        }

        _queue.Enqueue(entry);
        if (_stopping)
        {
            // A log call racing the host's shutdown may come after the writer's last batch: it writes itself.
            WriteQueued();
            return;
        }

        if (urgent)
        {
            try
            {
                _wake.Set();
            }
            catch (ObjectDisposedException)
            {
                WriteQueued();
            }
        }
    }

    private void WriteLoop()
    {
        while (!_stopping)
        {
            _wake.Wait(_interval);
            _wake.Reset();
            WriteQueued();
        }

        WriteQueued();
    }

    private void WriteQueued()
    {
        var batch = new StringBuilder();
        while (_queue.TryDequeue(out var entry))
        {
            Interlocked.Decrement(ref _queued);
            batch.Append(entry);
        }

        if (Interlocked.Exchange(ref _dropped, 0) is var dropped and > 0)
        {
            batch.Append(Format(LogLevel.Warning, typeof(BatchedConsoleLoggerProvider).FullName!, default,
                $"{dropped} log entries were dropped: more than {MaxQueued} waited to be written.", null));
        }

        if (batch.Length > 0)
        {
            Write(batch.ToString());
        }
    }

    private void Write(string text)
    {
        try
        {
            lock (_outputGate)
            {
                _output.Write(Encoding.UTF8.GetBytes(text));
                _output.Flush();
            }
        }
        catch (IOException)
        {
            // stdout closed (the reader went away): nothing left to write to.
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private static string Format(LogLevel level, string category, EventId eventId, string message, Exception? exception)
    {
        var entry = new StringBuilder(message.Length + category.Length + 32);
        entry.Append(Label(level)).Append(": ").Append(category).Append('[').Append(eventId.Id).Append(']').Append('\n');
        AppendIndented(entry, message);
        if (exception is not null)
        {
            AppendIndented(entry, exception.ToString());
        }

        return entry.ToString();
    }

    private static void AppendIndented(StringBuilder entry, string text) =>
        entry.Append(Padding).Append(text.ReplaceLineEndings("\n" + Padding)).Append('\n');

    private static string Label(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        _ => "crit",
    };

    private sealed class BatchedConsoleLogger(string category, BatchedConsoleLoggerProvider provider) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        // The level rules (Logging:LogLevel, Logging:Console:LogLevel) are the logger factory's, applied before this.
        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            ArgumentNullException.ThrowIfNull(formatter);
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var message = formatter(state, exception);
            if (string.IsNullOrEmpty(message) && exception is null)
            {
                return;
            }

            provider.Enqueue(Format(logLevel, category, eventId, message, exception), urgent: logLevel >= LogLevel.Warning);
        }
    }
}
