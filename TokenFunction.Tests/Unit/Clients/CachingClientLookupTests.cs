using Microsoft.Extensions.Time.Testing;
using TokenFunction.Clients;
using TokenFunction.Storage.Memory;

namespace TokenFunction.Tests.Unit.Clients;

/// <summary>The registration cache: bounded staleness on the service's clock, no negative entries, bounded size.</summary>
public class CachingClientLookupTests
{
    private static readonly TimeSpan s_lifetime = TimeSpan.FromSeconds(30);

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly InMemoryClientStore _store = new();

    [Test]
    public async Task ARemovedClient_IsStillServedFromTheCacheWithinTheBound()
    {
        var lookup = Lookup();
        await RegisterAsync("app");
        await lookup.FindAsync("app", CancellationToken.None);

        await _store.RemoveAsync("app", CancellationToken.None);
        _clock.Advance(s_lifetime - TimeSpan.FromSeconds(1));

        Assert.That(await lookup.FindAsync("app", CancellationToken.None), Is.Not.Null);
    }

    [Test]
    public async Task ARemovedClient_IsRefusedOnceTheBoundHasPassed()
    {
        var lookup = Lookup();
        await RegisterAsync("app");
        await lookup.FindAsync("app", CancellationToken.None);

        await _store.RemoveAsync("app", CancellationToken.None);
        _clock.Advance(s_lifetime);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(await lookup.FindAsync("app", CancellationToken.None), Is.Null);
            Assert.That(await lookup.FindAsync("app", CancellationToken.None), Is.Null, "and stays refused");
        }
    }

    [Test]
    public async Task AReplacedRegistration_IsReadAgainOnceTheBoundHasPassed()
    {
        var lookup = Lookup();
        await RegisterAsync("app", "orders:read");
        await lookup.FindAsync("app", CancellationToken.None);

        await RegisterAsync("app", "orders:write");
        var before = await lookup.FindAsync("app", CancellationToken.None);
        _clock.Advance(s_lifetime);
        var after = await lookup.FindAsync("app", CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(before!.AllowedScopes, Is.EquivalentTo(new[] { "orders:read" }));
            Assert.That(after!.AllowedScopes, Is.EquivalentTo(new[] { "orders:write" }));
        }
    }

    [Test]
    public async Task AnUnknownClient_IsNotRemembered_SoARegistrationRightAfterwardsWorksAtOnce()
    {
        var lookup = Lookup();
        Assert.That(await lookup.FindAsync("late", CancellationToken.None), Is.Null);

        await RegisterAsync("late");

        Assert.That(await lookup.FindAsync("late", CancellationToken.None), Is.Not.Null);
    }

    [Test]
    public async Task BeyondTheSizeBound_ARegistrationIsReadEveryTimeAndNotKept()
    {
        var lookup = Lookup();
        for (var i = 0; i < CachingClientLookup.MaxEntries; i++)
        {
            await RegisterAsync("app-" + i);
            await lookup.FindAsync("app-" + i, CancellationToken.None);
        }

        await RegisterAsync("one-too-many");
        await lookup.FindAsync("one-too-many", CancellationToken.None);
        await _store.RemoveAsync("one-too-many", CancellationToken.None);
        await _store.RemoveAsync("app-0", CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(await lookup.FindAsync("one-too-many", CancellationToken.None), Is.Null, "not kept: the cache was full");
            Assert.That(await lookup.FindAsync("app-0", CancellationToken.None), Is.Not.Null, "kept: within the bound");
        }
    }

    [Test]
    public async Task WhenFull_ExpiredEntriesMakeRoom()
    {
        var lookup = Lookup();
        for (var i = 0; i < CachingClientLookup.MaxEntries; i++)
        {
            await RegisterAsync("app-" + i);
            await lookup.FindAsync("app-" + i, CancellationToken.None);
        }

        _clock.Advance(s_lifetime);
        await RegisterAsync("newcomer");
        await lookup.FindAsync("newcomer", CancellationToken.None);
        await _store.RemoveAsync("newcomer", CancellationToken.None);

        Assert.That(await lookup.FindAsync("newcomer", CancellationToken.None), Is.Not.Null, "kept: the expired entries were dropped");
    }

    private CachingClientLookup Lookup() => new(_store, _clock, s_lifetime);

    private Task<bool> RegisterAsync(string clientId, string scope = "api") =>
        _store.SaveAsync(new OAuthClient
        {
            ClientId = clientId,
            RedirectUris = [],
            AllowedScopes = new HashSet<string>(StringComparer.Ordinal) { scope },
            AllowedGrantTypes = new HashSet<string>(StringComparer.Ordinal) { "client_credentials" },
        }, replace: true, CancellationToken.None);
}
