using TokenFunction.Protocol;

namespace TokenFunction.Tests.Unit.Protocol;

/// <summary>RFC 8707 on a grant (code exchange, refresh): which audiences a request gets, and which it is refused.</summary>
public sealed class ResourceIndicatorsTests
{
    private const string A = "https://a.example.test/";
    private const string B = "https://b.example.test/api";
    private const string C = "https://c.example.test/";

    private static readonly IReadOnlySet<string> RegisteredAbc = new HashSet<string>(StringComparer.Ordinal) { A, B, C };

    [Test]
    public void GrantWithResources_NoneRequested_IsAllOfThemInTheGrantsOrder() =>
        Assert.That(ResourceIndicators.GrantedWithin(Request(), [B, A], RegisteredAbc), Is.EqualTo(new[] { B, A }));

    [Test]
    public void GrantWithResources_ASubsetRequested_IsThatSubset_DuplicatesDropped() =>
        Assert.That(ResourceIndicators.GrantedWithin(Request(A, A), [A, B], RegisteredAbc), Is.EqualTo(new[] { A }));

    [Test]
    public void GrantWithResources_ARegisteredResourceNotOnTheGrant_IsInvalidTarget()
    {
        var e = Assert.Throws<OAuthProtocolException>(() => ResourceIndicators.GrantedWithin(Request(A, C), [A, B], RegisteredAbc))!;
        Assert.Multiple(() =>
        {
            Assert.That(e.Error, Is.EqualTo(OAuthErrorCodes.InvalidTarget));
            Assert.That(e.Message, Does.Contain(C).And.Contain("not one of the grant's resources"));
        });
    }

    [Test]
    public void GrantWithAResourceNoLongerRegistered_IsInvalidTarget_WhenTheTokenWouldCarryIt()
    {
        var registeredA = new HashSet<string>(StringComparer.Ordinal) { A };

        var e = Assert.Throws<OAuthProtocolException>(() => ResourceIndicators.GrantedWithin(Request(), [A, B], registeredA))!;

        Assert.Multiple(() =>
        {
            Assert.That(e.Error, Is.EqualTo(OAuthErrorCodes.InvalidTarget));
            Assert.That(e.Message, Does.Contain(B).And.Contain("no longer registered"));
            Assert.That(ResourceIndicators.GrantedWithin(Request(A), [A, B], registeredA), Is.EqualTo(new[] { A }), "a token for the still-registered one is fine");
        });
    }

    [Test]
    public void GrantWithoutResources_IsBoundedByTheClientsRegistration()
    {
        var registeredA = new HashSet<string>(StringComparer.Ordinal) { A };
        Assert.Multiple(() =>
        {
            Assert.That(ResourceIndicators.GrantedWithin(Request(), [], registeredA), Is.Empty, "none: the default audience");
            Assert.That(ResourceIndicators.GrantedWithin(Request(A), [], registeredA), Is.EqualTo(new[] { A }));
            Assert.That(Assert.Throws<OAuthProtocolException>(() => ResourceIndicators.GrantedWithin(Request(B), [], registeredA))!.Message, Does.Contain("not registered"));
        });
    }

    [TestCase("/relative", TestName = "RelativeResourceOnAGrant_IsInvalidTarget")]
    [TestCase(A + "#fragment", TestName = "ResourceWithFragmentOnAGrant_IsInvalidTarget")]
    public void MalformedResourceOnAGrant_IsInvalidTarget(string resource)
    {
        var e = Assert.Throws<OAuthProtocolException>(() => ResourceIndicators.GrantedWithin(Request(resource), [A], RegisteredAbc))!;
        Assert.Multiple(() =>
        {
            Assert.That(e.Error, Is.EqualTo(OAuthErrorCodes.InvalidTarget));
            Assert.That(e.Message, Does.Contain("absolute URI without a fragment"));
        });
    }

    private static FormParameters Request(params string[] resources) => new([], resources);
}
