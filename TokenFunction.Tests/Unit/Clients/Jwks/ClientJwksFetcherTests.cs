using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using TokenFunction.Clients.Assertions;
using TokenFunction.Tests.Infrastructure;
using TokenFunction.Settings;

namespace TokenFunction.Tests.Unit.Clients.Jwks;

/// <summary>
/// The fetcher against a real HTTP server on loopback (so with <see cref="ClientJwksOptions.AllowLoopback"/>); ages move
/// with a fake clock, never with sleeping.
/// </summary>
public class ClientJwksFetcherTests
{
    private static readonly string s_firstKeys = TestJwks.Set(TestJwks.Rsa("first"));
    private static readonly string s_rotatedKeys = TestJwks.Set(TestJwks.Rsa("first"), TestJwks.EcP256("second"));

    private JwksServer _server = null!;
    private FakeTimeProvider _clock = null!;

    [SetUp]
    public async Task StartServerAsync()
    {
        _server = await JwksServer.StartAsync();
        _server.Respond = JwksServer.Json(s_firstKeys);
        _clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 29, 9, 0, 0, TimeSpan.Zero));
    }

    [TearDown]
    public async Task StopServerAsync() => await _server.DisposeAsync();

    [Test]
    public async Task SecondGetWithinTheCacheTime_DoesNotFetch()
    {
        using var fetcher = Fetcher();

        var first = await fetcher.GetAsync(_server.Url(), refresh: false, CancellationToken.None);
        _clock.Advance(TimeSpan.FromSeconds(299));
        var second = await fetcher.GetAsync(_server.Url(), refresh: false, CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(_server.Requests, Is.EqualTo(1));
            Assert.That(second, Is.SameAs(first));
            Assert.That(first.Keys.Select(k => k.KeyId), Is.EqualTo(new[] { "first" }));
        }
    }

    [Test]
    public async Task GetAfterTheCacheTime_FetchesAgain()
    {
        using var fetcher = Fetcher();

        await fetcher.GetAsync(_server.Url(), refresh: false, CancellationToken.None);
        _server.Respond = JwksServer.Json(s_rotatedKeys);
        _clock.Advance(TimeSpan.FromSeconds(300));
        var second = await fetcher.GetAsync(_server.Url(), refresh: false, CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(_server.Requests, Is.EqualTo(2));
            Assert.That(second.Keys.Select(k => k.KeyId), Is.EqualTo(new[] { "first", "second" }));
        }
    }

    [Test]
    public async Task Refresh_RefetchesOnce_AndASecondRefreshWithinMinRefetchSecondsDoesNot()
    {
        using var fetcher = Fetcher();
        await fetcher.GetAsync(_server.Url(), refresh: false, CancellationToken.None);
        _server.Respond = JwksServer.Json(s_rotatedKeys);
        _clock.Advance(TimeSpan.FromSeconds(30));

        var refreshed = await fetcher.GetAsync(_server.Url(), refresh: true, CancellationToken.None);
        _clock.Advance(TimeSpan.FromSeconds(29));
        var again = await fetcher.GetAsync(_server.Url(), refresh: true, CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(refreshed.Keys.Select(k => k.KeyId), Does.Contain("second"));
            Assert.That(again, Is.SameAs(refreshed));
            Assert.That(_server.Requests, Is.EqualTo(2));
        }
    }

    [Test]
    public async Task RefreshRightAfterAFetch_AnswersFromTheCache()
    {
        using var fetcher = Fetcher();
        var first = await fetcher.GetAsync(_server.Url(), refresh: false, CancellationToken.None);
        _clock.Advance(TimeSpan.FromSeconds(29));

        var refreshed = await fetcher.GetAsync(_server.Url(), refresh: true, CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(refreshed, Is.SameAs(first));
            Assert.That(_server.Requests, Is.EqualTo(1));
        }
    }

    [Test]
    public async Task ConcurrentGetsForOneUrl_ShareOneFetch()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _server.Respond = async context =>
        {
            await gate.Task.WaitAsync(context.RequestAborted);
            await JwksServer.Json(s_firstKeys)(context);
        };
        using var fetcher = Fetcher();

        var gets = Enumerable.Range(0, 20).Select(i => fetcher.GetAsync(_server.Url(), refresh: i % 2 == 0, CancellationToken.None)).ToList();
        await WaitForRequestsAsync(1);
        gate.SetResult();
        var sets = await Task.WhenAll(gets);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(_server.Requests, Is.EqualTo(1));
            Assert.That(sets.Distinct().Count(), Is.EqualTo(1));
        }
    }

    [Test]
    public async Task CallerCancellation_EndsThatCallersWait_WhileTheSharedFetchGoesOn()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _server.Respond = async context =>
        {
            await gate.Task.WaitAsync(context.RequestAborted);
            await JwksServer.Json(s_firstKeys)(context);
        };
        using var fetcher = Fetcher();
        using var impatient = new CancellationTokenSource();

        var cancelled = fetcher.GetAsync(_server.Url(), refresh: false, impatient.Token);
        var patient = fetcher.GetAsync(_server.Url(), refresh: false, CancellationToken.None);
        await WaitForRequestsAsync(1);
        await impatient.CancelAsync();

        await Assert.CatchAsync<OperationCanceledException>(async () => await cancelled);
        gate.SetResult();
        var set = await patient;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(set.Keys, Has.Count.EqualTo(1));
            Assert.That(_server.Requests, Is.EqualTo(1));
        }
    }

    [Test]
    public async Task ContentLengthOverTheLimit_IsRefusedWithoutReadingTheBody()
    {
        // The body never comes: reading it would end in the timeout, not in "too large".
        _server.Respond = context =>
        {
            context.Response.ContentType = "application/json";
            context.Response.ContentLength = 65_537;
            return JwksServer.StallUntilAbortedAsync(context);
        };
        using var fetcher = Fetcher();

        var error = await Assert.ThrowsAsync<ClientJwksUnavailableException>(() => fetcher.GetAsync(_server.Url(), refresh: false, CancellationToken.None));

        Assert.That(error.Message, Does.Contain("larger than 65536 bytes"));
    }

    [Test]
    public async Task ChunkedBodyOverTheLimit_IsRefusedOnceItPassesTheLimit()
    {
        // 4 KiB without Content-Length (chunked), then the server stalls: only stopping at the limit avoids the timeout.
        _server.Respond = async context =>
        {
            context.Response.ContentType = "application/json";
            byte[] chunk = "{\"keys\":[]}                                                                                                                    "u8.ToArray();
            for (int i = 0; i < 4096 / chunk.Length + 1; i++)
            {
                await context.Response.Body.WriteAsync(chunk, context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
            }

            await JwksServer.StallUntilAbortedAsync(context);
        };
        using var fetcher = Fetcher(o => o.MaxResponseBytes = 1024);

        var error = await Assert.ThrowsAsync<ClientJwksUnavailableException>(() => fetcher.GetAsync(_server.Url(), refresh: false, CancellationToken.None));

        Assert.That(error.Message, Does.Contain("larger than 1024 bytes"));
    }

    [Test]
    public async Task SlowServer_FailsAfterTheFetchTimeout()
    {
        _server.Respond = async context =>
        {
            await Task.Delay(TimeSpan.FromSeconds(30), context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
        };
        using var fetcher = Fetcher(o => o.FetchTimeoutSeconds = 1);
        var stopwatch = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<ClientJwksUnavailableException>(() => fetcher.GetAsync(_server.Url(), refresh: false, CancellationToken.None));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(error.Message, Does.Contain("did not answer within the timeout of 1 s"));
            Assert.That(stopwatch.Elapsed, Is.GreaterThan(TimeSpan.FromMilliseconds(900)).And.LessThan(TimeSpan.FromSeconds(10)));
        }

    }

    [Test]
    public async Task BodyThatStallsAfterTheHeaders_FailsAfterTheFetchTimeout()
    {
        _server.Respond = async context =>
        {
            context.Response.ContentType = "application/json";
            context.Response.ContentLength = 100;
            await context.Response.WriteAsync("{\"keys\":[", context.RequestAborted);
            await JwksServer.StallUntilAbortedAsync(context);
        };
        using var fetcher = Fetcher(o => o.FetchTimeoutSeconds = 1);

        var error = await Assert.ThrowsAsync<ClientJwksUnavailableException>(() => fetcher.GetAsync(_server.Url(), refresh: false, CancellationToken.None));

        Assert.That(error.Message, Does.Contain("did not answer within the timeout of 1 s"));
    }

    [TestCase(404)]
    [TestCase(500)]
    public async Task ErrorStatus_IsRefusedWithTheStatusInTheMessage(int status)
    {
        _server.Respond = JwksServer.Status(status);
        using var fetcher = Fetcher();

        var error = await Assert.ThrowsAsync<ClientJwksUnavailableException>(() => fetcher.GetAsync(_server.Url(), refresh: false, CancellationToken.None));

        Assert.That(error.Message, Does.Contain($"HTTP {status}"));
    }

    [Test]
    public async Task Redirect_IsNotFollowed()
    {
        _server.Respond = context =>
        {
            if (context.Request.Path == "/moved")
            {
                return JwksServer.Json(s_firstKeys)(context);
            }

            context.Response.Redirect("/moved");
            return Task.CompletedTask;
        };
        using var fetcher = Fetcher();

        var error = await Assert.ThrowsAsync<ClientJwksUnavailableException>(() => fetcher.GetAsync(_server.Url(), refresh: false, CancellationToken.None));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(error.Message, Does.Contain("HTTP 302").And.Contain("redirects are not followed"));
            Assert.That(_server.RequestsTo("/moved"), Is.Zero);
        }

    }

    [Test]
    public async Task InvalidJson_IsRefusedWithTheParseError()
    {
        _server.Respond = JwksServer.Json("{\"keys\": [");
        using var fetcher = Fetcher();

        var error = await Assert.ThrowsAsync<ClientJwksUnavailableException>(() => fetcher.GetAsync(_server.Url(), refresh: false, CancellationToken.None));

        Assert.That(error.Message, Does.Contain("not a usable JWKS: the JWKS is not valid JSON"));
    }

    [Test]
    public async Task PrivateKeyInTheDocument_IsRefusedWithTheParseError_InErrorDescriptionCharacters()
    {
        _server.Respond = JwksServer.Json(TestJwks.Set(TestJwks.Rsa("leaked", withPrivateExponent: true)));
        using var fetcher = Fetcher();

        var error = await Assert.ThrowsAsync<ClientJwksUnavailableException>(() => fetcher.GetAsync(_server.Url(), refresh: false, CancellationToken.None));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(error.Message, Does.Contain("private or symmetric member 'd'"));
            Assert.That(error.Message.All(TokenFunction.Protocol.ErrorText.IsAllowed), Is.True, error.Message);
        }

    }

    [Test]
    public async Task NonJsonContentType_IsRefused()
    {
        _server.Respond = JwksServer.Json(s_firstKeys, "text/html");
        using var fetcher = Fetcher();

        var error = await Assert.ThrowsAsync<ClientJwksUnavailableException>(() => fetcher.GetAsync(_server.Url(), refresh: false, CancellationToken.None));

        Assert.That(error.Message, Does.Contain("content type 'text/html', not JSON"));
    }

    [Test]
    public async Task JwkSetMediaType_IsAccepted()
    {
        _server.Respond = JwksServer.Json(s_firstKeys, "application/jwk-set+json");
        using var fetcher = Fetcher();

        var set = await fetcher.GetAsync(_server.Url(), refresh: false, CancellationToken.None);

        Assert.That(set.Keys, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task FailingRefetch_ServesTheStaleSetWithinStaleSeconds_AndThrowsBeyond()
    {
        var logger = new ListLogger<ClientJwksFetcher>();
        using var fetcher = Fetcher(logger: logger);
        var good = await fetcher.GetAsync(_server.Url(), refresh: false, CancellationToken.None);
        _server.Respond = JwksServer.Status(503);

        _clock.Advance(TimeSpan.FromSeconds(300 + 3599));
        var stale = await fetcher.GetAsync(_server.Url(), refresh: false, CancellationToken.None);
        var warnings = logger.Entries.Where(e => e.Level == LogLevel.Warning).ToList();
        _clock.Advance(TimeSpan.FromSeconds(30));
        var error = await Assert.ThrowsAsync<ClientJwksUnavailableException>(() => fetcher.GetAsync(_server.Url(), refresh: false, CancellationToken.None));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(stale, Is.SameAs(good));
            Assert.That(warnings, Has.Count.EqualTo(1));
            Assert.That(warnings[0].Message, Does.Contain(_server.Url().ToString()).And.Contain("HTTP 503"));
            Assert.That(error.Message, Does.Contain("HTTP 503"));
            Assert.That(_server.Requests, Is.EqualTo(3));
        }
    }

    [Test]
    public async Task Failure_IsRememberedForMinRefetchSeconds()
    {
        _server.Respond = JwksServer.Status(500);
        using var fetcher = Fetcher();

        var first = await Assert.ThrowsAsync<ClientJwksUnavailableException>(() => fetcher.GetAsync(_server.Url(), refresh: false, CancellationToken.None));
        _clock.Advance(TimeSpan.FromSeconds(29));
        var second = await Assert.ThrowsAsync<ClientJwksUnavailableException>(() => fetcher.GetAsync(_server.Url(), refresh: true, CancellationToken.None));
        int servedMeanwhile = _server.Requests;
        _server.Respond = JwksServer.Json(s_firstKeys);
        _clock.Advance(TimeSpan.FromSeconds(1));
        var recovered = await fetcher.GetAsync(_server.Url(), refresh: false, CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(servedMeanwhile, Is.EqualTo(1));
            Assert.That(second.Message, Is.EqualTo(first.Message));
            Assert.That(recovered.Keys, Has.Count.EqualTo(1));
            Assert.That(_server.Requests, Is.EqualTo(2));
        }
    }

    [Test]
    public async Task UrlsAreCachedSeparately()
    {
        using var fetcher = Fetcher();

        await fetcher.GetAsync(_server.Url("/a"), refresh: false, CancellationToken.None);
        await fetcher.GetAsync(_server.Url("/b"), refresh: false, CancellationToken.None);
        await fetcher.GetAsync(_server.Url("/a"), refresh: false, CancellationToken.None);

        Assert.That((_server.RequestsTo("/a"), _server.RequestsTo("/b")), Is.EqualTo((1, 1)));
    }

    [Test]
    public async Task UnacceptableUrl_IsRefusedWithoutAFetch()
    {
        using var fetcher = Fetcher();

        var error = await Assert.ThrowsAsync<ClientJwksUnavailableException>(() => fetcher.GetAsync(new Uri("http://jwks.example.com/keys"), refresh: false, CancellationToken.None));

        Assert.That(error.Message, Does.Contain("https"));
    }

    [Test]
    public async Task NothingListening_IsRefusedAsUnreachable()
    {
        using var fetcher = Fetcher();

        var error = await Assert.ThrowsAsync<ClientJwksUnavailableException>(() => fetcher.GetAsync(new Uri($"http://127.0.0.1:{FreePort.Next()}/jwks"), refresh: false, CancellationToken.None));

        Assert.That(error.Message, Does.Contain("could not be reached"));
    }

    private ClientJwksFetcher Fetcher(Action<ClientJwksOptions>? configure = null, ILogger<ClientJwksFetcher>? logger = null)
    {
        var options = new ClientJwksOptions { AllowLoopback = true };
        configure?.Invoke(options);
        return new ClientJwksFetcher(Options.Create(options), _clock, logger ?? NullLogger<ClientJwksFetcher>.Instance);
    }

    private async Task WaitForRequestsAsync(int count)
    {
        var deadline = Stopwatch.StartNew();
        while (_server.Requests < count)
        {
            Assert.That(deadline.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)), "the server was not asked");
            await Task.Delay(10);
        }
    }
}
