using TokenFunction.Grants;
using TokenFunction.Protocol;
using TokenFunction.Signing;
using static TokenFunction.Tests.Unit.Grants.GrantHarness;

namespace TokenFunction.Tests.Unit.Grants;

/// <summary>The authorization code grant's rules, on the in-memory stores (no Azurite).</summary>
public sealed class AuthorizationCodeGrantHandlerTests
{
    private GrantHarness _grants = null!;

    [SetUp]
    public void SetUp() => _grants = new GrantHarness();

    [TearDown]
    public void TearDown() => _grants.Dispose();

    [Test]
    public async Task Redemption_IssuesTheGrantsTokens_AndConsumesTheCode()
    {
        var client = Client();
        var (code, verifier) = await _grants.IssueAsync(client, scope: "orders:read");

        var response = await _grants.RedeemAsync(client, code, verifier);

        var claims = Claims(response);
        var grant = await _grants.GrantAsync(code);
        Assert.Multiple(() =>
        {
            Assert.That((response.TokenType, response.Scope), Is.EqualTo(("Bearer", "orders:read")));
            Assert.That(RefreshTokens.TryParse(response.RefreshToken!, out var grantId, out _) && grantId == grant.GrantId, Is.True, "a refresh token of this grant");
            Assert.That((claims.GetProperty("sub").GetString(), claims.GetProperty("client_id").GetString()), Is.EqualTo(("alice", client.ClientId)));
            Assert.That((grant.IsRedeemed, grant.IsRevoked), Is.EqualTo((true, false)));
            Assert.That(grant.GrantExpiresAt, Is.EqualTo(_grants.Clock.GetUtcNow().AddDays(1)));
        });
    }

    [Test]
    public async Task CodeExchangeWithAnEmptyScope_LeavesScopeOutOfTheResponse()
    {
        var client = Client();
        var (code, verifier) = await _grants.IssueAsync(client, scope: "");

        var response = await _grants.RedeemAsync(client, code, verifier);

        Assert.Multiple(() =>
        {
            Assert.That(response.Scope, Is.Null, "no \"scope\":\"\"");
            Assert.That(Claims(response).TryGetProperty("scope", out _), Is.False);
        });
    }

    [Test]
    public async Task ClientWithoutTheRefreshTokenGrant_GetsNoRefreshToken()
    {
        var client = Client(refreshTokens: false);
        var (code, verifier) = await _grants.IssueAsync(client);

        var response = await _grants.RedeemAsync(client, code, verifier);

        Assert.Multiple(async () =>
        {
            Assert.That(response.RefreshToken, Is.Null);
            Assert.That((await _grants.GrantAsync(code)).GrantExpiresAt, Is.Null);
        });
    }

    [Test]
    public async Task UnknownCode_IsInvalidGrant()
    {
        var error = await Assert.ThrowsAsync<OAuthProtocolException>(() => _grants.RedeemAsync(Client(), "no-such-code", null));

        Assert.That(error!.Error, Is.EqualTo(OAuthErrorCodes.InvalidGrant));
    }

    [Test]
    public async Task AnotherClientsCode_IsInvalidGrant_AndStaysRedeemableByItsClient()
    {
        var owner = Client();
        var (code, verifier) = await _grants.IssueAsync(owner);

        var error = await Assert.ThrowsAsync<OAuthProtocolException>(() => _grants.RedeemAsync(Client(), code, verifier));

        Assert.That(error!.Error, Is.EqualTo(OAuthErrorCodes.InvalidGrant));
        Assert.That((await _grants.RedeemAsync(owner, code, verifier)).AccessToken, Is.Not.Empty);
    }

    [Test]
    public async Task ExpiredCode_IsInvalidGrant()
    {
        var client = Client();
        var (code, verifier) = await _grants.IssueAsync(client, lifetimeSeconds: 60);
        _grants.Clock.Advance(TimeSpan.FromSeconds(60));

        var error = await Assert.ThrowsAsync<OAuthProtocolException>(() => _grants.RedeemAsync(client, code, verifier));

        Assert.That(error!.Error, Is.EqualTo(OAuthErrorCodes.InvalidGrant));
    }

    [Test]
    public async Task CodeOfARevokedGrant_IsInvalidGrant()
    {
        var client = Client();
        var (code, verifier) = await _grants.IssueAsync(client);
        await _grants.Store.RevokeAsync(await _grants.GrantAsync(code), CancellationToken.None);

        var error = await Assert.ThrowsAsync<OAuthProtocolException>(() => _grants.RedeemAsync(client, code, verifier));

        Assert.That(error!.Error, Is.EqualTo(OAuthErrorCodes.InvalidGrant));
    }

    [Test]
    public async Task AnotherRedirectUri_IsInvalidGrant_AndLeavesTheCodeRedeemable()
    {
        var client = Client();
        var (code, verifier) = await _grants.IssueAsync(client);

        var error = await Assert.ThrowsAsync<OAuthProtocolException>(() => _grants.RedeemAsync(client, code, verifier, redirectUri: "https://app.example.test/other"));

        Assert.That(error!.Error, Is.EqualTo(OAuthErrorCodes.InvalidGrant));
        Assert.That((await _grants.GrantAsync(code)).IsRedeemed, Is.False);
    }

    [TestCase("wrong verifier", TestName = "AWrongVerifier_IsInvalidGrant_AndLeavesTheCodeRedeemable")]
    [TestCase("no verifier", TestName = "NoVerifierForACodeWithAChallenge_IsInvalidGrant_AndLeavesTheCodeRedeemable")]
    public async Task ProofKeyMismatch_IsInvalidGrant_AndLeavesTheCodeRedeemable(string what)
    {
        var client = Client();
        var (code, verifier) = await _grants.IssueAsync(client);
        var presented = what == "no verifier" ? null : new string('x', 43);

        var error = await Assert.ThrowsAsync<OAuthProtocolException>(() => _grants.RedeemAsync(client, code, presented));

        Assert.That(error!.Error, Is.EqualTo(OAuthErrorCodes.InvalidGrant));
        Assert.That((await _grants.RedeemAsync(client, code, verifier)).AccessToken, Is.Not.Empty);
    }

    [Test]
    public async Task AVerifierOfTheWrongSyntax_IsInvalidRequest()
    {
        var error = await Assert.ThrowsAsync<OAuthProtocolException>(() => _grants.RedeemAsync(Client(), "some-code", "too-short"));

        Assert.That(error!.Error, Is.EqualTo(OAuthErrorCodes.InvalidRequest));
    }

    [Test]
    public async Task AVerifierForACodeWithoutAChallenge_IsInvalidGrant()
    {
        var client = Client();
        var (code, verifier) = await _grants.IssueAsync(client, method: null);

        var error = await Assert.ThrowsAsync<OAuthProtocolException>(() => _grants.RedeemAsync(client, code, verifier));

        Assert.That(error!.Error, Is.EqualTo(OAuthErrorCodes.InvalidGrant));
    }

    [Test]
    public async Task APublicClientsCodeWithoutAChallenge_IsInvalidGrant()
    {
        var client = Client(confidential: false);
        var (code, _) = await _grants.IssueAsync(client, method: null);

        var error = await Assert.ThrowsAsync<OAuthProtocolException>(() => _grants.RedeemAsync(client, code, null));

        Assert.That(error!.Error, Is.EqualTo(OAuthErrorCodes.InvalidGrant));
    }

    [TestCase(false, TestName = "PlainPkce_ForAClientNotAllowedIt_IsInvalidGrant")]
    [TestCase(true, TestName = "PlainPkce_ForAClientAllowedIt_IsRedeemed")]
    public async Task PlainPkce_IsAllowedOnlyToClientsRegisteredForIt(bool allowed)
    {
        var client = Client(allowPlain: allowed);
        var (code, verifier) = await _grants.IssueAsync(client, method: Pkce.Plain);

        if (allowed)
        {
            Assert.That((await _grants.RedeemAsync(client, code, verifier)).AccessToken, Is.Not.Empty);
        }
        else
        {
            Assert.That((await Assert.ThrowsAsync<OAuthProtocolException>(() => _grants.RedeemAsync(client, code, verifier)))!.Error, Is.EqualTo(OAuthErrorCodes.InvalidGrant));
        }
    }

    [Test]
    public async Task ACodeWhoseSubjectIsTheClientsOwnId_IsInvalidGrant()
    {
        var client = Client();
        var (code, verifier) = await _grants.IssueAsync(client, subject: client.ClientId);

        var error = await Assert.ThrowsAsync<OAuthProtocolException>(() => _grants.RedeemAsync(client, code, verifier));

        Assert.That(error!.Error, Is.EqualTo(OAuthErrorCodes.InvalidGrant));
    }

    [Test]
    public async Task AResourceOutsideTheGrant_IsInvalidTarget_AndLeavesTheCodeRedeemable()
    {
        var client = Client(resources: ["https://orders.example.test/", "https://billing.example.test/"]);
        var (code, verifier) = await _grants.IssueAsync(client, resources: ["https://orders.example.test/"]);

        var error = await Assert.ThrowsAsync<OAuthProtocolException>(() => _grants.RedeemAsync(client, code, verifier, RedirectUri, "https://billing.example.test/"));

        Assert.That(error!.Error, Is.EqualTo(OAuthErrorCodes.InvalidTarget));
        Assert.That(Claims(await _grants.RedeemAsync(client, code, verifier)).GetProperty("aud").GetString(), Is.EqualTo("https://orders.example.test/"));
    }

    [Test]
    public async Task ASigningFault_LeavesTheCodeRedeemable()
    {
        var client = Client();
        using var failing = new GrantHarness(new FailingKeys());
        var (code, verifier) = await failing.IssueAsync(client);

        await Assert.ThrowsAsync<SigningException>(() => failing.RedeemAsync(client, code, verifier));

        Assert.That((await failing.GrantAsync(code)).IsRedeemed, Is.False);
    }

    [Test]
    public async Task ARetryOfTheSameClientWithinTheWindow_GetsAFreshAccessTokenAndTheSameRefreshToken()
    {
        var client = Client();
        var (code, verifier) = await _grants.IssueAsync(client);
        var first = await _grants.RedeemAsync(client, code, verifier);
        _grants.Clock.Advance(TimeSpan.FromSeconds(GraceSeconds - 1));

        var retried = await _grants.RedeemAsync(client, code, verifier);

        Assert.Multiple(async () =>
        {
            Assert.That(retried.RefreshToken, Is.EqualTo(first.RefreshToken), "no second refresh family");
            Assert.That(retried.AccessToken, Is.Not.EqualTo(first.AccessToken));
            Assert.That((await _grants.GrantAsync(code)).IsRevoked, Is.False);
        });
    }

    [Test]
    public async Task ARetryAfterTheWindow_IsAReplay_AndRevokesTheGrant()
    {
        var client = Client();
        var (code, verifier) = await _grants.IssueAsync(client);
        var first = await _grants.RedeemAsync(client, code, verifier);
        _grants.Clock.Advance(TimeSpan.FromSeconds(GraceSeconds));

        var error = await Assert.ThrowsAsync<OAuthProtocolException>(() => _grants.RedeemAsync(client, code, verifier));

        Assert.That(error!.Error, Is.EqualTo(OAuthErrorCodes.InvalidGrant));
        await AssertRevokedAsync(client, code, first.RefreshToken!);
    }

    [Test]
    public async Task ARetryAfterTheFirstRefreshTokenWasUsed_IsAReplay_AndRevokesTheGrant()
    {
        var client = Client();
        var (code, verifier) = await _grants.IssueAsync(client);
        var first = await _grants.RedeemAsync(client, code, verifier);
        var refreshed = await _grants.RefreshAsync(client, first.RefreshToken!);

        var error = await Assert.ThrowsAsync<OAuthProtocolException>(() => _grants.RedeemAsync(client, code, verifier));

        Assert.That(error!.Error, Is.EqualTo(OAuthErrorCodes.InvalidGrant));
        await AssertRevokedAsync(client, code, refreshed.RefreshToken!);
    }

    [TestCase("another client", TestName = "TheCodePresentedByAnotherClientAfterRedemption_IsAReplay_AndRevokesTheGrant")]
    [TestCase("another verifier", TestName = "TheCodeWithAnotherVerifierAfterRedemption_IsAReplay_AndRevokesTheGrant")]
    [TestCase("another redirect", TestName = "TheCodeWithAnotherRedirectUriAfterRedemption_IsAReplay_AndRevokesTheGrant")]
    public async Task AReplayThatIsNotThisClientsRetry_RevokesTheGrant(string difference)
    {
        var client = Client();
        var (code, verifier) = await _grants.IssueAsync(client);
        var first = await _grants.RedeemAsync(client, code, verifier);

        var error = await Assert.ThrowsAsync<OAuthProtocolException>(() => difference switch
        {
            "another client" => _grants.RedeemAsync(Client(), code, verifier),
            "another verifier" => _grants.RedeemAsync(client, code, new string('v', 43)),
            _ => _grants.RedeemAsync(client, code, verifier, redirectUri: "https://app.example.test/other"),
        });

        Assert.That(error!.Error, Is.EqualTo(OAuthErrorCodes.InvalidGrant));
        await AssertRevokedAsync(client, code, first.RefreshToken!);
    }

    [Test]
    public async Task TheRequestThatLosesTheRaceToRedeem_IsJudgedAsARetryOfTheWinner()
    {
        var client = Client();
        var (code, verifier) = await _grants.IssueAsync(client);

        var both = await Task.WhenAll(_grants.RedeemAsync(client, code, verifier), _grants.RedeemAsync(client, code, verifier));

        Assert.That(both[1].RefreshToken, Is.EqualTo(both[0].RefreshToken), "concurrent redemptions of one client's code share one refresh family");
    }

    private async Task AssertRevokedAsync(TokenFunction.Clients.OAuthClient client, string code, string refreshToken)
    {
        Assert.That((await _grants.GrantAsync(code)).IsRevoked, Is.True, "the grant is revoked");
        var refused = await Assert.ThrowsAsync<OAuthProtocolException>(() => _grants.RefreshAsync(client, refreshToken));
        Assert.That(refused!.Error, Is.EqualTo(OAuthErrorCodes.InvalidGrant), "and its refresh tokens stop working");
    }

    /// <summary>A signer whose backing service is down.</summary>
    private sealed class FailingKeys : ISigningKeyProvider
    {
        public ValueTask<ISigningKey> GetSigningKeyAsync(CancellationToken cancellationToken) =>
            ValueTask.FromException<ISigningKey>(new SigningException("the vault did not answer", isTransient: true));

        public ValueTask<IReadOnlyList<PublicJsonWebKey>> GetPublicKeysAsync(CancellationToken cancellationToken) =>
            ValueTask.FromResult<IReadOnlyList<PublicJsonWebKey>>([]);
    }
}
