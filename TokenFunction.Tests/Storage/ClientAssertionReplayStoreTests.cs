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

    private ClientAssertionReplayStore NewStore() =>
        new(new TokenTables(new TableServiceClient(TestEnvironment.Azurite.ConnectionString), createTablesIfMissing: true), clock);

    private static string NewClientId() => "replay-" + Guid.NewGuid().ToString("N");
}
