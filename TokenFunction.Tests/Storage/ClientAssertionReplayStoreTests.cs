using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Microsoft.Extensions.Time.Testing;
using TokenFunction.Storage;

namespace TokenFunction.Tests.Storage;

/// <summary>
/// What only the Table store must get right (the shared rules are <see cref="AssertionReplayContract"/>): a write Azure.Core
/// retried after its answer was lost is still this request's use, not a replay.
/// </summary>
public sealed class ClientAssertionReplayStoreTests
{
    private readonly FakeTimeProvider clock = new(DateTimeOffset.UtcNow);

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
