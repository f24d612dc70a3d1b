using Azure.Data.Tables;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using TokenFunction.Storage;
using TokenFunction.Telemetry;

namespace TokenFunction.Tests.Storage;

/// <summary>DPoP proof ids in Azurite: used once per key while the proof could be accepted, then taken over or purged.</summary>
public sealed class DpopProofReplayStoreTests
{
    private readonly FakeTimeProvider clock = new(DateTimeOffset.UtcNow);

    [Test]
    public async Task AProofId_IsUsedOncePerKey_WhileItsProofIsAcceptable_ThenMayBeUsedAgain()
    {
        var store = new DpopProofReplayStore(TableStores.Tables(), clock);
        var (key, other, jti) = (NewThumbprint(), NewThumbprint(), Guid.NewGuid().ToString());
        var until = clock.GetUtcNow().AddSeconds(65);

        var first = await store.TryUseAsync(key, jti, until, CancellationToken.None);
        var replay = await store.TryUseAsync(key, jti, until, CancellationToken.None);
        var otherKey = await store.TryUseAsync(other, jti, until, CancellationToken.None);
        clock.Advance(TimeSpan.FromSeconds(66));
        var afterExpiry = await store.TryUseAsync(key, jti, clock.GetUtcNow().AddSeconds(65), CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(first, Is.True);
            Assert.That(replay, Is.False);
            Assert.That(otherKey, Is.True, "ids are per key");
            Assert.That(afterExpiry, Is.True, "an expired proof's row is taken over");
        });
    }

    [Test]
    public async Task ThePurge_DeletesExpiredProofIds_AndKeepsLiveOnes()
    {
        var tables = TableStores.Tables();
        var store = new DpopProofReplayStore(tables, clock);
        var key = NewThumbprint();
        await store.TryUseAsync(key, "expired", clock.GetUtcNow().AddSeconds(10), CancellationToken.None);
        await store.TryUseAsync(key, "live", clock.GetUtcNow().AddHours(1), CancellationToken.None);
        clock.Advance(TimeSpan.FromMinutes(1));
        var maintenance = new GrantMaintenance(tables, new AuthorizationCodeStore(tables, clock, NullLogger<AuthorizationCodeStore>.Instance),
            new ClientAssertionReplayStore(tables, clock), store, clock, new AuditLog(NullLoggerFactory.Instance), NullLogger<GrantMaintenance>.Instance);

        var report = await maintenance.PurgeAsync(batchSize: 1000, maxBatches: 1, CancellationToken.None);

        var table = await tables.GetAsync(TableNames.DpopProofs, CancellationToken.None);
        var left = await table.QueryAsync<TableEntity>(e => e.PartitionKey == key).ToListAsync();
        Assert.Multiple(() =>
        {
            Assert.That(report.DpopProofIdsDeleted, Is.GreaterThanOrEqualTo(1));
            Assert.That(left.Select(r => r.RowKey), Is.EqualTo(new[] { TokenFunction.Protocol.Base64UrlSha256.Of("live") }));
        });
    }

    private static string NewThumbprint() => TokenFunction.Protocol.Base64UrlSha256.Of(Guid.NewGuid().ToString());
}
