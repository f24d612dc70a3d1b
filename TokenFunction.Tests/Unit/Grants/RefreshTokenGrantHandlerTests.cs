using TokenFunction.Clients;
using TokenFunction.Grants;
using TokenFunction.Protocol;
using static TokenFunction.Tests.Unit.Grants.GrantHarness;

namespace TokenFunction.Tests.Unit.Grants;

/// <summary>Refresh token rotation, the grace window and reuse detection, on the in-memory stores (no Azurite).</summary>
public sealed class RefreshTokenGrantHandlerTests
{
    private GrantHarness _grants = null!;

    [SetUp]
    public void SetUp() => _grants = new GrantHarness();

    [TearDown]
    public void TearDown() => _grants.Dispose();

    [Test]
    public async Task Refresh_ReturnsASuccessor_AndRetiresThePresentedToken()
    {
        var (client, code, first) = await RedeemedAsync();

        var refreshed = await _grants.RefreshAsync(client, first.RefreshToken!);

        var grant = await _grants.GrantAsync(code);
        Assert.That(RefreshTokens.TryParse(first.RefreshToken!, out _, out var oldKey), Is.True);
        var (_, old) = await _grants.Store.FindAsync(grant.GrantId, oldKey, CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(refreshed.RefreshToken, Is.Not.EqualTo(first.RefreshToken));
            Assert.That(old!.IsRetired, Is.True);
            Assert.That(Claims(refreshed).GetProperty("sub").GetString(), Is.EqualTo("alice"));
            Assert.That(refreshed.Scope, Is.EqualTo("orders:read orders:write"));
        });
    }

    [Test]
    public async Task TheRetiredTokenWithinTheGraceWindow_AnswersWithTheSameSuccessor_AndRevokesNothing()
    {
        var (client, code, first) = await RedeemedAsync();
        var refreshed = await _grants.RefreshAsync(client, first.RefreshToken!);
        _grants.Clock.Advance(TimeSpan.FromSeconds(GraceSeconds - 1));

        var again = await _grants.RefreshAsync(client, first.RefreshToken!);

        Assert.Multiple(async () =>
        {
            Assert.That(again.RefreshToken, Is.EqualTo(refreshed.RefreshToken));
            Assert.That((await _grants.GrantAsync(code)).IsRevoked, Is.False);
        });
    }

    [Test]
    public async Task TheRetiredTokenAfterTheGraceWindow_IsReuse_AndRevokesTheGrant()
    {
        var (client, code, first) = await RedeemedAsync();
        var refreshed = await _grants.RefreshAsync(client, first.RefreshToken!);
        _grants.Clock.Advance(TimeSpan.FromSeconds(GraceSeconds));

        Assert.That((await Assert.ThrowsAsync<OAuthProtocolException>(() => _grants.RefreshAsync(client, first.RefreshToken!)))!.Error, Is.EqualTo(OAuthErrorCodes.InvalidGrant));

        Assert.That((await _grants.GrantAsync(code)).IsRevoked, Is.True);
        Assert.That((await Assert.ThrowsAsync<OAuthProtocolException>(() => _grants.RefreshAsync(client, refreshed.RefreshToken!)))!.Error, Is.EqualTo(OAuthErrorCodes.InvalidGrant), "the successor dies with the grant");
    }

    [Test]
    public async Task TheRetiredTokenAfterItsSuccessorWasUsed_IsReuse_EvenWithinTheWindow()
    {
        var (client, code, first) = await RedeemedAsync();
        var second = await _grants.RefreshAsync(client, first.RefreshToken!);
        await _grants.RefreshAsync(client, second.RefreshToken!);

        Assert.That((await Assert.ThrowsAsync<OAuthProtocolException>(() => _grants.RefreshAsync(client, first.RefreshToken!)))!.Error, Is.EqualTo(OAuthErrorCodes.InvalidGrant));
        Assert.That((await _grants.GrantAsync(code)).IsRevoked, Is.True);
    }

    [Test]
    public async Task AnIdleExpiredToken_IsInvalidGrant_AndRevokesNothing()
    {
        var (client, code, first) = await RedeemedAsync();
        _grants.Clock.Advance(TimeSpan.FromHours(1));

        Assert.That((await Assert.ThrowsAsync<OAuthProtocolException>(() => _grants.RefreshAsync(client, first.RefreshToken!)))!.Error, Is.EqualTo(OAuthErrorCodes.InvalidGrant));
        Assert.That((await _grants.GrantAsync(code)).IsRevoked, Is.False);
    }

    [Test]
    public async Task RotationsNeverOutliveTheAbsoluteLifetime()
    {
        var (client, _, first) = await RedeemedAsync();
        var token = first.RefreshToken!;
        for (var i = 0; i < 24; i++)
        {
            _grants.Clock.Advance(TimeSpan.FromMinutes(59));
            token = (await _grants.RefreshAsync(client, token)).RefreshToken!;
        }

        _grants.Clock.Advance(TimeSpan.FromMinutes(59));

        Assert.That((await Assert.ThrowsAsync<OAuthProtocolException>(() => _grants.RefreshAsync(client, token)))!.Error, Is.EqualTo(OAuthErrorCodes.InvalidGrant));
    }

    [Test]
    public async Task AWiderScope_IsInvalidScope_AndTheTokenIsNotRotated()
    {
        var (client, _, first) = await RedeemedAsync();

        Assert.That((await Assert.ThrowsAsync<OAuthProtocolException>(() => _grants.RefreshAsync(client, first.RefreshToken!, scope: "orders:read admin")))!.Error, Is.EqualTo(OAuthErrorCodes.InvalidScope));
        Assert.That((await _grants.RefreshAsync(client, first.RefreshToken!)).RefreshToken, Is.Not.Null, "still the live token");
    }

    [Test]
    public async Task ANarrowerScope_NarrowsThisAccessToken_NotTheGrant()
    {
        var (client, _, first) = await RedeemedAsync();

        var narrowed = await _grants.RefreshAsync(client, first.RefreshToken!, scope: "orders:write");
        var next = await _grants.RefreshAsync(client, narrowed.RefreshToken!);

        Assert.That((narrowed.Scope, next.Scope), Is.EqualTo(("orders:write", "orders:read orders:write")));
    }

    [Test]
    public async Task AnotherClientsToken_IsInvalidGrant_AndRevokesNothing()
    {
        var (_, code, first) = await RedeemedAsync();

        Assert.That((await Assert.ThrowsAsync<OAuthProtocolException>(() => _grants.RefreshAsync(Client(), first.RefreshToken!)))!.Error, Is.EqualTo(OAuthErrorCodes.InvalidGrant));
        Assert.That((await _grants.GrantAsync(code)).IsRevoked, Is.False);
    }

    [TestCase("not-a-refresh-token", TestName = "ATokenNotInTheFormat_IsInvalidGrant")]
    [TestCase(null, TestName = "AnUnknownTokenInTheFormat_IsInvalidGrant")]
    public async Task UnknownTokens_AreInvalidGrant(string? token)
    {
        token ??= RefreshTokens.NewToken(GrantKeys.ForCode("never issued"));

        Assert.That((await Assert.ThrowsAsync<OAuthProtocolException>(() => _grants.RefreshAsync(Client(), token)))!.Error, Is.EqualTo(OAuthErrorCodes.InvalidGrant));
    }

    [Test]
    public async Task ATokenOfARevokedGrant_IsInvalidGrant()
    {
        var (client, code, first) = await RedeemedAsync();
        await _grants.Store.RevokeAsync(await _grants.GrantAsync(code), CancellationToken.None);

        Assert.That((await Assert.ThrowsAsync<OAuthProtocolException>(() => _grants.RefreshAsync(client, first.RefreshToken!)))!.Error, Is.EqualTo(OAuthErrorCodes.InvalidGrant));
    }

    private async Task<(OAuthClient Client, string Code, AccessTokenResponse First)> RedeemedAsync()
    {
        var client = Client();
        var (code, verifier) = await _grants.IssueAsync(client, scope: "orders:read orders:write");
        return (client, code, await _grants.RedeemAsync(client, code, verifier));
    }
}
