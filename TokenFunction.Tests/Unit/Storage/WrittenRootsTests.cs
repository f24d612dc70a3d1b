using TokenFunction.Grants;
using TokenFunction.Storage;

namespace TokenFunction.Tests.Unit.Storage;

public sealed class WrittenRootsTests
{
    [Test]
    public void WrittenGrant_IsFoundForItsLiveToken_AndForNoOtherToken()
    {
        var written = new WrittenRoots();
        var (grant, live) = Written("g1", "rt:live");
        written.Wrote(grant, live);

        Assert.Multiple(() =>
        {
            Assert.That(written.Find("g1", "rt:live"), Is.EqualTo((grant, live)));
            Assert.That(written.Find("g1", "rt:retired"), Is.Null, "a token the write did not leave live is read, never judged from here");
            Assert.That(written.Find("g2", "rt:live"), Is.Null);
        });
    }

    [Test]
    public void LaterWriteOfAGrant_ReplacesTheEarlier()
    {
        var written = new WrittenRoots();
        written.Wrote(Written("g1", "rt:first").Grant, Written("g1", "rt:first").Live);
        var (grant, second) = Written("g1", "rt:second");

        written.Wrote(grant, second);

        Assert.Multiple(() =>
        {
            Assert.That(written.Find("g1", "rt:first"), Is.Null, "the rotated token is no longer the live one");
            Assert.That(written.Find("g1", "rt:second"), Is.EqualTo((grant, second)));
        });
    }

    [Test]
    public void ForgottenGrant_IsNotFound()
    {
        var written = new WrittenRoots();
        var (grant, live) = Written("g1", "rt:live");
        written.Wrote(grant, live);

        written.Forget("g1");

        Assert.That(written.Find("g1", "rt:live"), Is.Null);
    }

    [Test]
    public void PastTwoGenerations_TheOldestWritesAreDropped_SoTheMemoryIsBounded()
    {
        var written = new WrittenRoots();
        var total = 2 * WrittenRoots.GenerationSize + 10;
        for (var i = 0; i < total; i++)
        {
            var (grant, live) = Written($"g{i}", "rt:live");
            written.Wrote(grant, live);
        }

        var kept = Enumerable.Range(0, total).Count(i => written.Find($"g{i}", "rt:live") is not null);
        Assert.Multiple(() =>
        {
            Assert.That(kept, Is.LessThanOrEqualTo(2 * WrittenRoots.GenerationSize));
            Assert.That(kept, Is.GreaterThanOrEqualTo(WrittenRoots.GenerationSize), "the newer generation and what the older holds");
            Assert.That(written.Find("g0", "rt:live"), Is.Null, "the first writes went with the oldest generation");
            Assert.That(written.Find($"g{total - 1}", "rt:live"), Is.Not.Null, "the last write is kept");
        });
    }

    private static (AuthorizationGrant Grant, RefreshTokenRecord Live) Written(string grantId, string key) =>
        (new AuthorizationGrant { GrantId = grantId, ClientId = "c", RedirectUri = "https://app.example/cb", Subject = "alice", Version = new("W/\"1\"") },
         new RefreshTokenRecord { GrantId = grantId, Key = key, Version = new("root:0:W/\"1\"") });
}
