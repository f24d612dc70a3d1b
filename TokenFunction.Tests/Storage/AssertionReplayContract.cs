using Microsoft.Extensions.Time.Testing;
using TokenFunction.Clients.Assertions;

namespace TokenFunction.Tests.Storage;

/// <summary>The single-use rule for client assertion ids, run against every implementation of the port.</summary>
public abstract class AssertionReplayContract
{
    protected FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    protected abstract IAssertionReplayStore CreateStore();

    [Test]
    public async Task FirstUseOfAJti_IsAccepted_AndASecondUseWhileValidIsNot()
    {
        var store = CreateStore();
        var clientId = NewClientId();

        var first = await store.TryUseAsync(clientId, "jti-1", Clock.GetUtcNow().AddMinutes(1), CancellationToken.None);
        var second = await store.TryUseAsync(clientId, "jti-1", Clock.GetUtcNow().AddMinutes(1), CancellationToken.None);

        Assert.That((first, second), Is.EqualTo((true, false)));
    }

    [Test]
    public async Task TheSameJti_OfAnotherClient_IsItsOwn()
    {
        var store = CreateStore();

        var mine = await store.TryUseAsync(NewClientId(), "shared-jti", Clock.GetUtcNow().AddMinutes(1), CancellationToken.None);
        var theirs = await store.TryUseAsync(NewClientId(), "shared-jti", Clock.GetUtcNow().AddMinutes(1), CancellationToken.None);

        Assert.That((mine, theirs), Is.EqualTo((true, true)));
    }

    [Test]
    public async Task TwentyConcurrentUsesOfOneJti_ExactlyOneIsAccepted()
    {
        var store = CreateStore();
        var clientId = NewClientId();

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => store.TryUseAsync(clientId, "raced", Clock.GetUtcNow().AddMinutes(1), CancellationToken.None)));

        Assert.That(outcomes.Count(o => o), Is.EqualTo(1));
    }

    [Test]
    public async Task AJtiWhoseAssertionExpired_MayBeUsedAgainOnce_EvenBeforeThePurge()
    {
        var store = CreateStore();
        var clientId = NewClientId();
        Assert.That(await store.TryUseAsync(clientId, "again", Clock.GetUtcNow().AddMinutes(1), CancellationToken.None), Is.True);
        Clock.Advance(TimeSpan.FromMinutes(2));

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => store.TryUseAsync(clientId, "again", Clock.GetUtcNow().AddMinutes(1), CancellationToken.None)));

        Assert.That(outcomes.Count(o => o), Is.EqualTo(1), "the expired use is taken over, by one request");
    }

    [Test]
    public async Task JtisThatHoldCharactersTableKeysForbid_AreStored()
    {
        var store = CreateStore();
        var clientId = NewClientId();

        var used = await store.TryUseAsync(clientId, "a/b\\c#d?e\u0001", Clock.GetUtcNow().AddMinutes(1), CancellationToken.None);
        var replayed = await store.TryUseAsync(clientId, "a/b\\c#d?e\u0001", Clock.GetUtcNow().AddMinutes(1), CancellationToken.None);

        Assert.That((used, replayed), Is.EqualTo((true, false)));
    }

    protected static string NewClientId() => "replay-" + Guid.NewGuid().ToString("N");
}
