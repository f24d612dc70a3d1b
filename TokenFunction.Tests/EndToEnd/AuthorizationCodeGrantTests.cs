using System.Net;
using Microsoft.Extensions.DependencyInjection;
using TokenFunction.Grants;
using TokenFunction.Protocol;
using TokenFunction.Storage;
using TokenFunction.Tests.Infrastructure;

namespace TokenFunction.Tests.EndToEnd;

/// <summary>The code grant's checks (RFC 6749 section 4.1.3, RFC 7636): each failure is invalid_grant or invalid_request.</summary>
public sealed class AuthorizationCodeGrantTests : EndToEndTest
{
    private const int RetryWindowSeconds = 30;

    protected override bool UsesFakeClock => true;

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        [TokenFunction.Settings.SettingNames.TokenCodeRetryGraceSeconds] = RetryWindowSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private async Task<AuthorizationGrant> RowAsync(IssuedCode code) =>
        (await Host.Services.GetRequiredService<AuthorizationCodeStore>().FindByCodeAsync(code.Code, CancellationToken.None))!;

    [Test]
    public async Task UnknownCode_IsInvalidGrant()
    {
        var client = await Clients.AddPublicAsync();
        var response = await RedeemAsync(client, new IssuedCode("this-code-was-never-issued", TestClients.NewVerifier()));

        await OAuthAssert.ErrorAsync(response.HttpResponse!, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidGrant);
    }

    [Test]
    public async Task CodeWhoseCarriedGrantWasAltered_IsUnknown_AndTheCodeAsIssuedStillRedeems()
    {
        var client = await Clients.AddPublicAsync();
        var code = await Clients.IssueCodeAsync(client.ClientId, subject: "alice");
        var parts = code.Code.Split('.');
        var grant = System.Text.Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(parts[1]));
        Assert.That(grant, Does.Contain("\"sub\":\"alice\""));
        var altered = string.Join('.', parts[0], System.Buffers.Text.Base64Url.EncodeToString(System.Text.Encoding.UTF8.GetBytes(grant.Replace("\"alice\"", "\"admin\"", StringComparison.Ordinal))), parts[2]);

        var refused = await RedeemAsync(client, code with { Code = altered });
        var redeemed = await RedeemAsync(client, code);

        var body = await OAuthAssert.ErrorAsync(refused.HttpResponse!, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidGrant);
        Assert.Multiple(() =>
        {
            Assert.That(body.GetProperty(OAuthParameterNames.ErrorDescription).GetString(), Is.EqualTo("The authorization code is unknown."), "an altered grant names no stored grant");
            Assert.That(redeemed.IsError, Is.False, "the attempt consumed nothing: " + redeemed.Raw);
            Assert.That(new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(redeemed.AccessToken!).Subject, Is.EqualTo("alice"), "the grant as issued");
        });
    }

    [Test]
    public async Task CodeWhoseGrantWasRevokedAfterIssue_IsRefusedAsRevoked_ThoughTheCodeCarriesItsGrant()
    {
        var client = await Clients.AddPublicAsync();
        var code = await Clients.IssueCodeAsync(client.ClientId);
        await Host.Services.GetRequiredService<AuthorizationCodeStore>().RevokeAsync(await RowAsync(code), CancellationToken.None);

        var response = await RedeemAsync(client, code);

        var body = await OAuthAssert.ErrorAsync(response.HttpResponse!, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidGrant);
        Assert.That(body.GetProperty(OAuthParameterNames.ErrorDescription).GetString(), Is.EqualTo("The authorization code's grant is revoked."));
    }

    [Test]
    public async Task CodeRedeemedAgainBySameClientAndVerifierWithinTheRetryWindow_GetsAFreshAccessTokenAndTheSameRefreshToken()
    {
        var client = await Clients.AddPublicAsync(grantTypes: TestClients.WithRefreshTokens);
        var code = await Clients.IssueCodeAsync(client.ClientId);
        var first = await RedeemAsync(client, code);
        Assert.That(first.IsError, Is.False, first.Raw);
        Clock.Advance(TimeSpan.FromSeconds(RetryWindowSeconds - 1));

        var retried = await RedeemAsync(client, code);

        Assert.That(retried.IsError, Is.False, "the client lost the first answer: " + retried.Raw);
        Assert.Multiple(async () =>
        {
            Assert.That(retried.RefreshToken, Is.EqualTo(first.RefreshToken), "the same refresh token: never a second family");
            Assert.That(retried.AccessToken, Is.Not.EqualTo(first.AccessToken));
            Assert.That((await RowAsync(code)).RevokedAt, Is.Null, "a retry is not a replay");
        });
    }

    [Test]
    public async Task CodeRedeemedAgainWithinTheWindow_ByAClientWithoutRefreshTokens_GetsAFreshAccessToken()
    {
        var client = await Clients.AddPublicAsync();
        var code = await Clients.IssueCodeAsync(client.ClientId);
        Assert.That((await RedeemAsync(client, code)).IsError, Is.False);

        var retried = await RedeemAsync(client, code);

        Assert.That(retried.IsError, Is.False, retried.Raw);
        Assert.That(retried.RefreshToken, Is.Null);
    }

    [Test]
    public async Task CodeRedeemedAgainAfterTheRetryWindow_IsInvalidGrantAndTheGrantIsRevoked()
    {
        var client = await Clients.AddPublicAsync(grantTypes: TestClients.WithRefreshTokens);
        var code = await Clients.IssueCodeAsync(client.ClientId);
        var first = await RedeemAsync(client, code);
        Assert.That(first.IsError, Is.False, first.Raw);
        Assert.That((await RowAsync(code)).RevokedAt, Is.Null, "a single redemption revokes nothing");
        Clock.Advance(TimeSpan.FromSeconds(RetryWindowSeconds));

        var second = await RedeemAsync(client, code);

        await OAuthAssert.ErrorAsync(second.HttpResponse!, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidGrant);
        Assert.That((await RowAsync(code)).RevokedAt, Is.Not.Null, "a replay revokes the grant (RFC 6749 section 4.1.2)");
        var refresh = await CodeRedemption.RefreshAsync(Http, Host.TokenEndpoint, client, first.RefreshToken!);
        await OAuthAssert.ErrorAsync(refresh.HttpResponse!, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidGrant);
    }

    [Test]
    public async Task CodeRedeemedAgainWithAnotherVerifier_WithinTheWindow_RevokesTheGrant()
    {
        var client = await Clients.AddPublicAsync(grantTypes: TestClients.WithRefreshTokens);
        var code = await Clients.IssueCodeAsync(client.ClientId);
        Assert.That((await RedeemAsync(client, code)).IsError, Is.False);

        var other = await RedeemAsync(client, code with { Verifier = TestClients.NewVerifier() });

        await OAuthAssert.ErrorAsync(other.HttpResponse!, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidGrant);
        Assert.That((await RowAsync(code)).RevokedAt, Is.Not.Null, "only the holder of the verifier may retry");
    }

    [Test]
    public async Task CodeRedeemedAgainAfterItsRefreshTokenWasUsed_RevokesTheGrant()
    {
        var client = await Clients.AddPublicAsync(grantTypes: TestClients.WithRefreshTokens);
        var code = await Clients.IssueCodeAsync(client.ClientId);
        var first = await RedeemAsync(client, code);
        var refreshed = await CodeRedemption.RefreshAsync(Http, Host.TokenEndpoint, client, first.RefreshToken!);
        Assert.That(refreshed.IsError, Is.False, refreshed.Raw);

        var late = await RedeemAsync(client, code);

        await OAuthAssert.ErrorAsync(late.HttpResponse!, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidGrant);
        Assert.That((await RowAsync(code)).RevokedAt, Is.Not.Null, "the client had its answer: this is a replay");
    }

    [Test]
    public async Task CodeWhoseSubjectIsTheClientsOwnId_IsInvalidGrant_SoAUserTokenNeverPassesForTheClients()
    {
        var client = await Clients.AddPublicAsync();
        var code = await Clients.IssueCodeAsync(client.ClientId, subject: client.ClientId);

        var response = await RedeemAsync(client, code);

        await OAuthAssert.ErrorAsync(response.HttpResponse!, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidGrant);
    }

    [Test]
    public async Task CodeOfAnotherClient_IsInvalidGrantAndStaysRedeemableByItsOwner()
    {
        var owner = await Clients.AddPublicAsync();
        var thief = await Clients.AddPublicAsync();
        var code = await Clients.IssueCodeAsync(owner.ClientId);

        var stolen = await RedeemAsync(thief, code);
        await OAuthAssert.ErrorAsync(stolen.HttpResponse!, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidGrant);

        var rightful = await RedeemAsync(owner, code);
        Assert.That(rightful.IsError, Is.False, rightful.Raw);
    }

    [Test]
    public async Task RedeemedCodePresentedByAnotherClient_RevokesTheGrant()
    {
        var owner = await Clients.AddPublicAsync();
        var other = await Clients.AddPublicAsync();
        var code = await Clients.IssueCodeAsync(owner.ClientId);
        Assert.That((await RedeemAsync(owner, code)).IsError, Is.False);

        var leaked = await RedeemAsync(other, code);

        await OAuthAssert.ErrorAsync(leaked.HttpResponse!, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidGrant);
        var row = await Host.Services.GetRequiredService<AuthorizationCodeStore>().FindByCodeAsync(code.Code, CancellationToken.None);
        Assert.That(row!.RevokedAt, Is.Not.Null, "a redeemed code in anyone's hands has leaked");
    }

    [Test]
    public async Task RedirectUriNotIdentical_IsInvalidGrant()
    {
        var client = await Clients.AddPublicAsync();
        var code = await Clients.IssueCodeAsync(client.ClientId);

        var response = await RedeemAsync(client, code, redirectUri: TestClients.RedirectUri + "/");

        await OAuthAssert.ErrorAsync(response.HttpResponse!, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidGrant);
        Assert.That((await RedeemAsync(client, code)).IsError, Is.False, "the code stays redeemable with its own redirect_uri");
    }

    [Test]
    public async Task VerifierNotMatchingChallenge_IsInvalidGrant()
    {
        var client = await Clients.AddPublicAsync();
        var code = await Clients.IssueCodeAsync(client.ClientId);

        var response = await RedeemAsync(client, code with { Verifier = TestClients.NewVerifier() });

        await OAuthAssert.ErrorAsync(response.HttpResponse!, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidGrant);
        Assert.That((await RedeemAsync(client, code)).IsError, Is.False, "the code stays redeemable with its own verifier");
    }

    [TestCase(42, 'a', TestName = "VerifierOf42Characters_IsInvalidRequest")]
    [TestCase(129, 'a', TestName = "VerifierOf129Characters_IsInvalidRequest")]
    [TestCase(50, '+', TestName = "VerifierWithForbiddenCharacter_IsInvalidRequest")]
    public async Task MalformedVerifier_IsInvalidRequest(int length, char filler)
    {
        var client = await Clients.AddPublicAsync();
        var code = await Clients.IssueCodeAsync(client.ClientId);

        var response = await RedeemAsync(client, code with { Verifier = new string('a', length - 1) + filler });

        await OAuthAssert.ErrorAsync(response.HttpResponse!, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidRequest);
    }

    [Test]
    public async Task VerifierForCodeIssuedWithoutChallenge_IsInvalidGrant()
    {
        var client = await Clients.AddConfidentialAsync();
        var code = await Clients.IssueCodeAsync(client.ClientId, withPkce: false);

        var response = await RedeemAsync(client, code with { Verifier = TestClients.NewVerifier() });

        await OAuthAssert.ErrorAsync(response.HttpResponse!, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidGrant);
        Assert.That((await RedeemAsync(client, code)).IsError, Is.False, "the code stays redeemable with its own verifier");
    }

    [Test]
    public async Task MissingVerifierForCodeIssuedWithChallenge_IsInvalidGrant()
    {
        var client = await Clients.AddPublicAsync();
        var code = await Clients.IssueCodeAsync(client.ClientId);

        var response = await RedeemAsync(client, code with { Verifier = null });

        await OAuthAssert.ErrorAsync(response.HttpResponse!, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidGrant);
    }

    [Test]
    public async Task PlainPkceForClientNotAllowedIt_IsInvalidGrant()
    {
        var client = await Clients.AddPublicAsync(allowPlainPkce: false);
        var code = await Clients.IssueCodeAsync(client.ClientId, method: Pkce.Plain);

        var response = await RedeemAsync(client, code);

        await OAuthAssert.ErrorAsync(response.HttpResponse!, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidGrant);
    }

    [Test]
    public async Task PublicClientCodeWithoutChallenge_IsInvalidGrant()
    {
        var client = await Clients.AddPublicAsync();
        var code = await Clients.IssueCodeAsync(client.ClientId, withPkce: false);

        var response = await RedeemAsync(client, code);

        await OAuthAssert.ErrorAsync(response.HttpResponse!, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidGrant);
    }
}
