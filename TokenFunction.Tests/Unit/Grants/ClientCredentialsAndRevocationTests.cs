using TokenFunction.Grants;
using TokenFunction.Protocol;
using static TokenFunction.Tests.Unit.Grants.GrantHarness;

namespace TokenFunction.Tests.Unit.Grants;

/// <summary>The client credentials grant and refresh token revocation, on the in-memory stores (no Azurite).</summary>
public sealed class ClientCredentialsAndRevocationTests
{
    private GrantHarness _grants = null!;

    [SetUp]
    public void SetUp() => _grants = new GrantHarness();

    [TearDown]
    public void TearDown() => _grants.Dispose();

    [Test]
    public async Task ClientCredentialsWithoutScope_CarryAllRegisteredScopes_ForTheClientItself()
    {
        var client = Client(scopes: "reports:write reports:read");

        var response = await _grants.ClientCredentialsAsync(client);

        var claims = Claims(response);
        Assert.Multiple(() =>
        {
            Assert.That(response.Scope, Is.EqualTo("reports:read reports:write"));
            Assert.That(response.RefreshToken, Is.Null);
            Assert.That(claims.GetProperty("sub").GetString(), Is.EqualTo(client.ClientId));
        });
    }

    [Test]
    public async Task ClientCredentialsWithScopes_CarryThemInTheOrderAsked_EachOnce()
    {
        var response = await _grants.ClientCredentialsAsync(Client(scopes: "a b c"), scope: "c a c");

        Assert.That(response.Scope, Is.EqualTo("c a"));
    }

    [Test]
    public async Task ClientCredentialsOfAClientWithoutScopes_LeaveScopeOut()
    {
        var response = await _grants.ClientCredentialsAsync(Client(scopes: ""));

        Assert.That(response.Scope, Is.Null);
    }

    [Test]
    public async Task ClientCredentialsWithAnUnregisteredScope_AreInvalidScope()
    {
        Assert.That((await Assert.ThrowsAsync<OAuthProtocolException>(() => _grants.ClientCredentialsAsync(Client(scopes: "a"), scope: "a admin")))!.Error, Is.EqualTo(OAuthErrorCodes.InvalidScope));
    }

    [Test]
    public async Task ClientCredentialsOfAPublicClient_AreUnauthorizedClient()
    {
        Assert.That((await Assert.ThrowsAsync<OAuthProtocolException>(() => _grants.ClientCredentialsAsync(Client(confidential: false))))!.Error, Is.EqualTo(OAuthErrorCodes.UnauthorizedClient));
    }

    [Test]
    public async Task RevokingOwnRefreshToken_RevokesItsGrant()
    {
        var client = Client();
        var (code, verifier) = await _grants.IssueAsync(client);
        var issued = await _grants.RedeemAsync(client, code, verifier);

        var outcome = await _grants.Revocation.RevokeAsync(client, issued.RefreshToken!, CancellationToken.None);
        var again = await _grants.Revocation.RevokeAsync(client, issued.RefreshToken!, CancellationToken.None);

        Assert.That((outcome, again), Is.EqualTo((RevocationOutcome.Revoked, RevocationOutcome.AlreadyRevoked)));
        Assert.That((await _grants.GrantAsync(code)).IsRevoked, Is.True);
    }

    [Test]
    public async Task RevokingAnotherClientsRefreshToken_RevokesNothing()
    {
        var owner = Client();
        var (code, verifier) = await _grants.IssueAsync(owner);
        var issued = await _grants.RedeemAsync(owner, code, verifier);

        var outcome = await _grants.Revocation.RevokeAsync(Client(), issued.RefreshToken!, CancellationToken.None);

        Assert.That(outcome, Is.EqualTo(RevocationOutcome.AnotherClients));
        Assert.That((await _grants.GrantAsync(code)).IsRevoked, Is.False);
    }

    [Test]
    public async Task RevokingAnAccessTokenOrAnUnknownToken_RevokesNothing()
    {
        var client = Client();
        var (code, verifier) = await _grants.IssueAsync(client);
        var issued = await _grants.RedeemAsync(client, code, verifier);

        var accessToken = await _grants.Revocation.RevokeAsync(client, issued.AccessToken, CancellationToken.None);
        var unknown = await _grants.Revocation.RevokeAsync(client, RefreshTokens.NewToken(GrantKeys.ForCode("never issued")), CancellationToken.None);

        Assert.That((accessToken, unknown), Is.EqualTo((RevocationOutcome.NotARefreshToken, RevocationOutcome.Unknown)));
        Assert.That((await _grants.GrantAsync(code)).IsRevoked, Is.False);
    }

    [Test]
    public void AGrantReadingAParameterItDidNotDeclare_IsABug_NotASilentNull()
    {
        var parameters = Form(_grants.ClientCredentials, [(OAuthParameterNames.Scope, "a"), (OAuthParameterNames.Code, "sent but undeclared")]);

        Assert.Multiple(() =>
        {
            Assert.That(parameters[OAuthParameterNames.Scope], Is.EqualTo("a"));
            Assert.Throws<InvalidOperationException>(() => _ = parameters[OAuthParameterNames.Code]);
        });
    }
}
