using Microsoft.Extensions.Time.Testing;
using TokenFunction.Signing.KeyVault;

namespace TokenFunction.Tests.KeyVault;

/// <summary>The Key Vault rotation decision alone: versions and a fake clock in, signer, published and retired out.</summary>
public sealed class RotationPolicyTests
{
    private static readonly TimeSpan s_prePublication = TimeSpan.FromHours(1);
    private static readonly TimeSpan s_retention = TimeSpan.FromMinutes(15);

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 2, 8, 0, 0, TimeSpan.Zero));
    private readonly RotationPolicy _policy = new(s_prePublication, s_retention);

    [Test]
    public void ABrandNewKey_SignsAtOnceWithItsFirstVersion()
    {
        var state = _policy.Decide([Version("v1", created: _clock.GetUtcNow())], _clock.GetUtcNow());

        Assert.That(state, Is.EqualTo(new RotationState("v1", ["v1"], [])).Using<RotationState>(SameState));
    }

    [Test]
    public void ANewVersion_IsPublishedAtOnce_AndSignsOnlyAfterItsPrePublication()
    {
        var versions = new[] { Version("v1", created: _clock.GetUtcNow().AddDays(-30)), Version("v2", created: _clock.GetUtcNow()) };

        var justAdded = _policy.Decide(versions, _clock.GetUtcNow());
        _clock.Advance(s_prePublication);
        var afterPrePublication = _policy.Decide(versions, _clock.GetUtcNow());

        Assert.Multiple(() =>
        {
            Assert.That(justAdded.Current, Is.EqualTo("v1"), "the previous version keeps signing");
            Assert.That(justAdded.Published, Is.EqualTo(new[] { "v2", "v1" }), "the new one is in the JWKS already, newest first");
            Assert.That(afterPrePublication.Current, Is.EqualTo("v2"));
            Assert.That(afterPrePublication.Published, Is.EqualTo(new[] { "v2", "v1" }), "the old one still verifies what it signed");
        });
    }

    [Test]
    public void ASupersededVersion_StaysPublishedForTheRetention_ThenIsRetired()
    {
        var versions = new[] { Version("v1", created: _clock.GetUtcNow().AddDays(-30)), Version("v2", created: _clock.GetUtcNow()) };
        _clock.Advance(s_prePublication + s_retention - TimeSpan.FromSeconds(1));
        var stillPublished = _policy.Decide(versions, _clock.GetUtcNow());
        _clock.Advance(TimeSpan.FromSeconds(1));

        var retired = _policy.Decide(versions, _clock.GetUtcNow());

        Assert.Multiple(() =>
        {
            Assert.That(stillPublished.Published, Does.Contain("v1"));
            Assert.That((retired.Current, retired.Published, retired.Retired), Is.EqualTo(("v2", new[] { "v2" }, new[] { "v1" })).Using<(string?, IReadOnlyList<string>, IReadOnlyList<string>)>(
                (a, b) => a.Item1 == b.Item1 && a.Item2.SequenceEqual(b.Item2) && a.Item3.SequenceEqual(b.Item3)));
        });
    }

    [Test]
    public void AVersionThisInstanceDiscoveredLate_IsCountedFromWhenItFirstPublishedIt()
    {
        var created = _clock.GetUtcNow().AddHours(-2);
        var seenNow = Version("v2", created: created, firstSeen: _clock.GetUtcNow());

        var state = _policy.Decide([Version("v1", created: created.AddDays(-1)), seenNow], _clock.GetUtcNow());

        Assert.That(state.Current, Is.EqualTo("v1"), "created two hours ago, but this instance has published it for no time at all");
    }

    [Test]
    public void NotBefore_DelaysTheVersionsActivation()
    {
        var versions = new[] { Version("v1", created: _clock.GetUtcNow().AddDays(-30)), Version("v2", created: _clock.GetUtcNow().AddHours(-2), notBefore: _clock.GetUtcNow().AddMinutes(30)) };

        Assert.That(_policy.Decide(versions, _clock.GetUtcNow().AddMinutes(89)).Current, Is.EqualTo("v1"));
        Assert.That(_policy.Decide(versions, _clock.GetUtcNow().AddMinutes(90)).Current, Is.EqualTo("v2"));
    }

    [Test]
    public void AVersionAddedWhileTheKeyIsYoung_WaitsForItsOwnPrePublication()
    {
        var versions = new[] { Version("v1", created: _clock.GetUtcNow()), Version("v2", created: _clock.GetUtcNow().AddMinutes(10)) };

        Assert.Multiple(() =>
        {
            Assert.That(_policy.Decide(versions, _clock.GetUtcNow().AddMinutes(10)).Current, Is.EqualTo("v1"), "the oldest signs while none is ready");
            Assert.That(_policy.Decide(versions, _clock.GetUtcNow().AddMinutes(60)).Current, Is.EqualTo("v1"));
            Assert.That(_policy.Decide(versions, _clock.GetUtcNow().AddMinutes(70)).Current, Is.EqualTo("v2"));
        });
    }

    [Test]
    public void DisabledAndExpiredVersions_NeitherSignNorArePublished()
    {
        var versions = new[]
        {
            Version("v1", created: _clock.GetUtcNow().AddDays(-30)),
            Version("v2", created: _clock.GetUtcNow().AddDays(-20), enabled: false),
            Version("v3", created: _clock.GetUtcNow().AddDays(-10), expires: _clock.GetUtcNow()),
        };

        var state = _policy.Decide(versions, _clock.GetUtcNow());

        Assert.That((state.Current, state.Published), Is.EqualTo(("v1", new[] { "v1" })).Using<(string?, IReadOnlyList<string>)>((a, b) => a.Item1 == b.Item1 && a.Item2.SequenceEqual(b.Item2)));
    }

    [Test]
    public void NoUsableVersion_MeansNoSigner()
    {
        Assert.That(_policy.Decide([Version("v1", created: _clock.GetUtcNow(), enabled: false)], _clock.GetUtcNow()).Current, Is.Null);
    }

    private static KeyVersionInfo Version(string id, DateTimeOffset created, DateTimeOffset? notBefore = null, DateTimeOffset? expires = null, bool enabled = true, DateTimeOffset? firstSeen = null) =>
        new(id, created, notBefore, expires, enabled, firstSeen ?? DateTimeOffset.MinValue);

    private static bool SameState(RotationState a, RotationState b) =>
        a.Current == b.Current && a.Published.SequenceEqual(b.Published) && a.Retired.SequenceEqual(b.Retired);
}
