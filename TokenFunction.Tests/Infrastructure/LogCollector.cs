using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace TokenFunction.Tests.Infrastructure;

/// <summary>A logging provider that keeps every entry the host's filters let through, for tests that read the log.</summary>
public sealed class LogCollector : ILoggerProvider
{
    private readonly ConcurrentQueue<LogEntry> entries = new();

    public IReadOnlyList<LogEntry> Entries => [.. entries];

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    /// <summary>Every entry's full text: message, structured values and exception, for scans for secrets.</summary>
    public string AllText() => string.Join('\n', entries.Select(e => e.FullText));

    public void Dispose()
    {
    }

    private sealed class Logger(LogCollector collector, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state as IReadOnlyList<KeyValuePair<string, object?>> ?? [];
            collector.entries.Enqueue(new LogEntry(category, logLevel, eventId, formatter(state, exception), exception, [.. values]));
        }
    }
}

public sealed record LogEntry(string Category, LogLevel Level, EventId EventId, string Message, Exception? Exception, IReadOnlyList<KeyValuePair<string, object?>> Values)
{
    public object? this[string name] => Values.FirstOrDefault(v => v.Key == name).Value;

    public string FullText => $"{Level} {Category} {Message} {string.Join(' ', Values.Select(v => $"{v.Key}={v.Value}"))} {Exception}";
}
