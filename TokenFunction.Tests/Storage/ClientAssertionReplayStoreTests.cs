using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Microsoft.Extensions.Time.Testing;
using TokenFunction.Storage;

namespace TokenFunction.Tests.Storage;

/// <summary>The single-use rule for client assertion ids, decided by Azurite's conditional writes.</summary>
public sealed class ClientAssertionReplayStoreTests
{
    private readonly FakeTimeProvider clock = new(DateTimeOffset.UtcNow);

    [Test]
    public async Task FirstUseOfAJti_IsAccepted_AndASecondUseWhileValidIsNot()
    {
        var store = NewStore();
        var clientId = NewClientId();

        var first = await store.TryUseAsync(clientId, "jti-1", clock.GetUtcNow().AddMinutes(1), CancellationToken.None);
        var second = await store.TryUseAsync(clientId, "jti-1", clock.GetUtcNow().AddMinutes(1), CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(first, Is.True);
            Assert.That(second, Is.False);
        });
    }

    [Test]
    public async Task TheSameJti_OfAnotherClient_IsItsOwn()
    {
        var store = NewStore();

        var mine = await store.TryUseAsync(NewClientId(), "shared-jti", clock.GetUtcNow().AddMinutes(1), CancellationToken.None);
        var theirs = await store.TryUseAsync(NewClientId(), "shared-jti", clock.GetUtcNow().AddMinutes(1), CancellationToken.None);

        Assert.That(mine && theirs, Is.True);
    }

    [Test]
    public async Task TwentyConcurrentUsesOfOneJti_ExactlyOneIsAccepted()
    {
        var store = NewStore();
        var clientId = NewClientId();

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => store.TryUseAsync(clientId, "raced", clock.GetUtcNow().AddMinutes(1), CancellationToken.None)));

        Assert.That(outcomes.Count(o => o), Is.EqualTo(1));
    }

    [Test]
    public async Task AJtiWhoseAssertionExpired_MayBeUsedAgainOnce_EvenBeforeThePurge()
    {
        var store = NewStore();
        var clientId = NewClientId();
        Assert.That(await store.TryUseAsync(clientId, "again", clock.GetUtcNow().AddMinutes(1), CancellationToken.None), Is.True);
        clock.Advance(TimeSpan.FromMinutes(2));

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => store.TryUseAsync(clientId, "again", clock.GetUtcNow().AddMinutes(1), CancellationToken.None)));

        Assert.That(outcomes.Count(o => o), Is.EqualTo(1), "the expired row is taken over conditionally, by one request");
    }

    [Test]
    public async Task JtisThatHoldCharactersTableKeysForbid_AreStored()
    {
        var store = NewStore();

        var used = await store.TryUseAsync(NewClientId(), "a/b\\c#d?e\u0001", clock.GetUtcNow().AddMinutes(1), CancellationToken.None);

        Assert.That(used, Is.True);
    }

    [Test]
    public async Task RetriedInsertWhoseResponseWasLost_IsStillThisRequestsUse_NotAReplay()
    {
        var lostResponse = new LoseFirstWriteResponsePolicy(RequestMethod.Post);
        var store = NewStore(lostResponse);
        var clientId = NewClientId();

        var used = await store.TryUseAsync(clientId, "lost-insert", clock.GetUtcNow().AddMinutes(1), CancellationToken.None);
        var replay = await NewStore().TryUseAsync(clientId, "lost-insert", clock.GetUtcNow().AddMinutes(1), CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(lostResponse.Dropped, Is.True, "the insert reached storage and its response was lost");
            Assert.That(used, Is.True, "the retry's 409 met this request's own use id");
            Assert.That(replay, Is.False, "and the jti is used all the same");
        });
    }

    [Test]
    public async Task RetriedTakeOverWhoseResponseWasLost_IsStillThisRequestsUse()
    {
        var clientId = NewClientId();
        Assert.That(await NewStore().TryUseAsync(clientId, "lost-update", clock.GetUtcNow().AddMinutes(1), CancellationToken.None), Is.True);
        clock.Advance(TimeSpan.FromMinutes(2));
        var lostResponse = new LoseFirstWriteResponsePolicy(RequestMethod.Put);

        var used = await NewStore(lostResponse).TryUseAsync(clientId, "lost-update", clock.GetUtcNow().AddMinutes(1), CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(lostResponse.Dropped, Is.True, "the conditional replace reached storage and its response was lost");
            Assert.That(used, Is.True, "the retry's 412 met this request's own use id");
        });
    }

    private ClientAssertionReplayStore NewStore(HttpPipelinePolicy? policy = null)
    {
        var options = new TableClientOptions();
        if (policy is not null)
        {
            options.AddPolicy(policy, HttpPipelinePosition.PerRetry);
        }

        options.Retry.Delay = TimeSpan.FromMilliseconds(10);
        return new(new TokenTables(new TableServiceClient(TestEnvironment.Azurite.ConnectionString, options), createTablesIfMissing: true), clock);
    }

    private static string NewClientId() => "replay-" + Guid.NewGuid().ToString("N");

    /// <summary>Lets the first write of <c>method</c> reach Azurite, then drops its response, so Azure.Core retries it.</summary>
    private sealed class LoseFirstWriteResponsePolicy(RequestMethod method) : HttpPipelinePolicy
    {
        public bool Dropped { get; private set; }

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
            throw new NotSupportedException("The store is async all the way.");

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            await ProcessNextAsync(message, pipeline);
            if (!Dropped && message.Request.Method == method && message.Request.Uri.Path.Contains(TableNames.ClientAssertions, StringComparison.Ordinal)
                && message.Response.Status is >= 200 and < 300)
            {
                Dropped = true;
                throw new IOException("Simulated: the connection dropped before the response arrived.");
            }
        }
    }
}
