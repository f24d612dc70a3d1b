using TokenFunction.Clients;
using TokenFunction.Grants;
using TokenFunction.Protocol;
using static TokenFunction.Tests.Unit.Grants.GrantHarness;

namespace TokenFunction.Tests.Unit.Grants;

/// <summary>
/// What the grants do with a checked DPoP proof's key (RFC 9449), on the in-memory stores: public clients' refresh
/// tokens bound to it, and a request that cannot show the key is refused without touching the grant.
/// </summary>
public sealed class DpopBindingTests
{
    private const string Key = "key-thumbprint";
    private const string OtherKey = "other-thumbprint";

    private GrantHarness _grants = null!;

    [SetUp]
    public void SetUp() => _grants = new GrantHarness();

    [TearDown]
    public void TearDown() => _grants.Dispose();

    [Test]
    public async Task ARetiredBoundTokenReplayedWithoutTheKey_IsInvalidGrant_AndDoesNotRevokeTheGrant()
    {
        var client = Client(confidential: false);
        var (code, first) = await RedeemAsync(client, Key);
        await RefreshAsync(client, first.RefreshToken!, Key);
        _grants.Clock.Advance(TimeSpan.FromSeconds(GraceSeconds + 1));

        var refusal = await Assert.ThrowsAsync<OAuthProtocolException>(() => RefreshAsync(client, first.RefreshToken!, OtherKey));

        Assert.Multiple(async () =>
        {
            Assert.That(refusal!.Error, Is.EqualTo(OAuthErrorCodes.InvalidGrant));
            Assert.That((await _grants.GrantAsync(code)).IsRevoked, Is.False, "a request without the key is not the client's: no reuse verdict");
        });
    }

    [Test]
    public async Task ARetiredBoundTokenReplayedWithTheKeyAfterTheGraceWindow_IsStillReuse_AndRevokesTheGrant()
    {
        var client = Client(confidential: false);
        var (code, first) = await RedeemAsync(client, Key);
        await RefreshAsync(client, first.RefreshToken!, Key);
        _grants.Clock.Advance(TimeSpan.FromSeconds(GraceSeconds + 1));

        await Assert.ThrowsAsync<OAuthProtocolException>(() => RefreshAsync(client, first.RefreshToken!, Key));

        Assert.That((await _grants.GrantAsync(code)).IsRevoked, Is.True);
    }

    [Test]
    public async Task ALostAnswerRetryOfABoundCodeExchange_WithTheKey_GetsTheSameRefreshTokenAndABoundAccessToken()
    {
        var client = Client(confidential: false);
        var (code, verifier) = await _grants.IssueAsync(client);
        var first = await RedeemAsync(client, code, verifier, Key);

        var retry = await RedeemAsync(client, code, verifier, Key);

        Assert.Multiple(() =>
        {
            Assert.That(retry.RefreshToken, Is.EqualTo(first.RefreshToken));
            Assert.That(retry.TokenType, Is.EqualTo(AccessTokenResponse.DpopTokenType));
            Assert.That(Claims(retry).GetProperty("cnf").GetProperty("jkt").GetString(), Is.EqualTo(Key));
        });
    }

    [Test]
    public async Task AConfidentialClientsRefreshToken_IsNotBound()
    {
        var client = Client(confidential: true);
        var (_, first) = await RedeemAsync(client, Key);

        var refreshed = await RefreshAsync(client, first.RefreshToken!, thumbprint: null);

        Assert.That(refreshed.TokenType, Is.EqualTo(AccessTokenResponse.BearerTokenType));
    }

    private async Task<(string Code, AccessTokenResponse First)> RedeemAsync(OAuthClient client, string thumbprint)
    {
        var (code, verifier) = await _grants.IssueAsync(client);
        return (code, await RedeemAsync(client, code, verifier, thumbprint));
    }

    private Task<AccessTokenResponse> RedeemAsync(OAuthClient client, string code, string verifier, string? thumbprint) =>
        _grants.Code.HandleAsync(new GrantRequest(Form(_grants.Code, [(OAuthParameterNames.Code, code), (OAuthParameterNames.RedirectUri, RedirectUri), (OAuthParameterNames.CodeVerifier, verifier)]), client)
        {
            DpopThumbprint = thumbprint,
        }, CancellationToken.None);

    private Task<AccessTokenResponse> RefreshAsync(OAuthClient client, string refreshToken, string? thumbprint) =>
        _grants.Refresh.HandleAsync(new GrantRequest(Form(_grants.Refresh, [(OAuthParameterNames.RefreshToken, refreshToken)]), client)
        {
            DpopThumbprint = thumbprint,
        }, CancellationToken.None);
}
