using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using TokenFunction.Hosting;

namespace TokenFunction.Tests.Hosting;

/// <summary>The local host's console log: the simple console format, written in batches instead of entry by entry.</summary>
public sealed class BatchedConsoleLoggerProviderTests
{
    // Long enough that no timed batch falls inside a test: what is written before disposal was woken by a warning.
    private static readonly TimeSpan Never = TimeSpan.FromHours(1);

    [Test]
    public void Entries_AreWrittenInTheSimpleConsoleFormat_WithTheExceptionAfterTheMessage()
    {
        var output = new CapturedOutput();
        using (var provider = new BatchedConsoleLoggerProvider(output, Never))
        {
            var logger = provider.CreateLogger("TokenFunction.Audit");
            logger.Log(LogLevel.Information, new EventId(5001), "Token issued to client a.\nSecond line.", null, (state, _) => state);
            logger.Log(LogLevel.Error, new EventId(7), "Failed.", new InvalidOperationException("boom"), (state, _) => state);
        }

        var text = output.Text;
        Assert.Multiple(() =>
        {
            Assert.That(text, Does.StartWith("info: TokenFunction.Audit[5001]\n      Token issued to client a.\n      Second line.\n"));
            Assert.That(text, Does.Contain("fail: TokenFunction.Audit[7]\n      Failed.\n      System.InvalidOperationException: boom\n"));
        });
    }

    [Test]
    public void InformationEntries_WaitForTheBatch_AndDisposalWritesThem()
    {
        var output = new CapturedOutput();
        var provider = new BatchedConsoleLoggerProvider(output, Never);
        var logger = provider.CreateLogger("TokenFunction.Endpoints.TokenEndpoint");
        Write(logger, LogLevel.Information, "first");
        Write(logger, LogLevel.Information, "second");

        Assert.That(output.Writes, Is.Zero, "an Information entry wakes no writer");
        provider.Dispose();
        Assert.Multiple(() =>
        {
            Assert.That(output.Writes, Is.EqualTo(1), "both entries in one write");
            Assert.That(output.Text, Does.Contain("first").And.Contain("second"));
            Assert.That(output.Text.IndexOf("first", StringComparison.Ordinal), Is.LessThan(output.Text.IndexOf("second", StringComparison.Ordinal)));
        });
    }

    [Test]
    public async Task AWarning_IsWrittenAtOnce_WithTheEntriesQueuedBeforeIt()
    {
        var output = new CapturedOutput();
        using var provider = new BatchedConsoleLoggerProvider(output, Never);
        var logger = provider.CreateLogger("TokenFunction.Audit");
        Write(logger, LogLevel.Information, "queued before");
        Write(logger, LogLevel.Warning, "replayed code");

        Assert.That(await output.Written.WaitAsync(TimeSpan.FromSeconds(30)), Is.True, "the warning woke the writer");
        Assert.That(output.Text, Does.Contain("info: TokenFunction.Audit[0]\n      queued before\n").And.Contain("warn: TokenFunction.Audit[0]\n      replayed code\n"));
    }

    [Test]
    public void AnEntryLoggedAfterShutdown_IsWrittenAtOnce_NotLost()
    {
        var output = new CapturedOutput();
        var provider = new BatchedConsoleLoggerProvider(output, Never);
        var logger = provider.CreateLogger("TokenFunction.Audit");
        provider.Dispose();

        Write(logger, LogLevel.Information, "late entry");
        Write(logger, LogLevel.Warning, "late warning");

        Assert.That(output.Text, Does.Contain("info: TokenFunction.Audit[0]\n      late entry\n").And.Contain("late warning"));
    }

    [Test]
    public void PastTheQueueBound_EntriesAreDropped_AndTheDropIsWritten()
    {
        var output = new CapturedOutput();
        using (var provider = new BatchedConsoleLoggerProvider(output, Never))
        {
            var logger = provider.CreateLogger("TokenFunction.Audit");
            for (var i = 0; i < BatchedConsoleLoggerProvider.MaxQueued + 3; i++)
            {
                Write(logger, LogLevel.Information, "entry");
            }
        }

        Assert.Multiple(() =>
        {
            Assert.That(output.Text.Split("info: ").Length - 1, Is.EqualTo(BatchedConsoleLoggerProvider.MaxQueued));
            Assert.That(output.Text, Does.Contain("3 log entries were dropped"));
        });
    }

    [Test]
    public void ConsoleLevelSettings_ApplyToIt_AsToThePlatformsConsoleProvider()
    {
        var output = new CapturedOutput();
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Logging:Console:LogLevel:Default"] = "Warning" })
            .Build();
        using (var provider = new BatchedConsoleLoggerProvider(output, Never))
        using (var factory = LoggerFactory.Create(logging => logging.AddConfiguration(configuration.GetSection("Logging")).AddProvider(provider)))
        {
            var logger = factory.CreateLogger("TokenFunction.Audit");
            Write(logger, LogLevel.Information, "below the console's level");
            Write(logger, LogLevel.Warning, "at the console's level");
        }

        Assert.That(output.Text, Does.Contain("at the console's level").And.Not.Contain("below the console's level"));
    }

    [Test]
    public async Task TheLocalHost_LogsThroughIt_InsteadOfThePlatformsConsoleProvider()
    {
        var app = LocalHost.Build([]);
        await using (app.ConfigureAwait(false))
        {
            var providers = app.Services.GetServices<ILoggerProvider>().ToList();
            Assert.Multiple(() =>
            {
                Assert.That(providers.OfType<BatchedConsoleLoggerProvider>().Count(), Is.EqualTo(1));
                Assert.That(providers.OfType<ConsoleLoggerProvider>(), Is.Empty);
            });
        }
    }

    private static void Write(ILogger logger, LogLevel level, string message) =>
        logger.Log(level, default, message, null, (state, _) => state);

    /// <summary>A stream that keeps what is written, counts the writes and signals each.</summary>
    private sealed class CapturedOutput : MemoryStream
    {
        private readonly Lock _gate = new();
        private readonly StringBuilder _text = new();
        private int _writes;

        public SemaphoreSlim Written { get; } = new(0);

        public string Text
        {
            get
            {
                lock (_gate)
                {
                    return _text.ToString();
                }
            }
        }

        public int Writes => Volatile.Read(ref _writes);

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            lock (_gate)
            {
                _text.Append(Encoding.UTF8.GetString(buffer));
            }

            Interlocked.Increment(ref _writes);
            Written.Release();
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));
    }
}
