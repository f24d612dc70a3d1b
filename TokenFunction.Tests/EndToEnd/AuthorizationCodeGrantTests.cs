using System.Net;
using Microsoft.Extensions.DependencyInjection;
using TokenFunction.Protocol;
using TokenFunction.Storage;
using TokenFunction.Tests.Infrastructure;

namespace TokenFunction.Tests.EndToEnd;

/// <summary>The code grant's checks (RFC 6749 section 4.1.3, RFC 7636): each failure is invalid_grant or invalid_request.</summary>
public sealed class AuthorizationCodeGrantTests : EndToEndTest
{
    [Test]
    public async Task UnknownCode_IsInvalidGrant()
    {
        var client = await Clients.AddPublicAsync();
        var response = await RedeemAsync(client, new IssuedCode("this-code-was-never-issued", TestClients.NewVerifier()));

        await OAuthAssert.ErrorAsync(response.HttpResponse!, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidGrant, "unknown");
    }

    [Test]
    public async Task CodeRedeemedTwice_SecondIsInvalidGrantAndTheGrantIsRevoked()
    {
        var client = await Clients.AddPublicAsync();
        var code = await Clients.IssueCodeAsync(client.ClientId);
        var first = await RedeemAsync(client, code);
        Assert.That(first.IsError, Is.False, first.Raw);
        var store = Host.Services.GetRequiredService<AuthorizationCodeStore>();
        Assert.That((await store.FindAsync(code.Code, CancellationToken.None))!.RevokedAt, Is.Null, "a single redemption revokes nothing");

        var second = await RedeemAsync(client, code);

        await OAuthAssert.ErrorAsync(second.HttpResponse!, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidGrant, "already redeemed");
        Assert.That((await store.FindAsync(code.Code, CancellationToken.None))!.RevokedAt, Is.Not.Null, "a replay revokes the grant (RFC 6749 section 4.1.2)");
    }

    [Test]
    public async Task CodeOfAnotherClient_IsInvalidGrantAndStaysRedeemableByItsOwner()
    {
        var owner = await Clients.AddPublicAsync();
        var thief = await Clients.AddPublicAsync();
        var code = await Clients.IssueCodeAsync(owner.ClientId);

        var stolen = await RedeemAsync(thief, code);
        await OAuthAssert.ErrorAsync(stolen.HttpResponse!, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidGrant, "another client");

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

        await OAuthAssert.ErrorAsync(leaked.HttpResponse!, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidGrant, "already redeemed");
        var row = await Host.Services.GetRequiredService<AuthorizationCodeStore>().FindAsync(code.Code, CancellationToken.None);
        Assert.That(row!.RevokedAt, Is.Not.Null, "a redeemed code in anyone's hands has leaked");
    }

    [Test]
    public async Task RedirectUriNotIdentical_IsInvalidGrant()
    {
        var client = await Clients.AddPublicAsync();
        var code = await Clients.IssueCodeAsync(client.ClientId);

        var response = await RedeemAsync(client, code, redirectUri: TestClients.RedirectUri + "/");

        await OAuthAssert.ErrorAsync(response.HttpResponse!, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidGrant, "redirect_uri");
    }

    [Test]
    public async Task VerifierNotMatchingChallenge_IsInvalidGrant()
    {
        var client = await Clients.AddPublicAsync();
        var code = await Clients.IssueCodeAsync(client.ClientId);

        var response = await RedeemAsync(client, code with { Verifier = TestClients.NewVerifier() });

        await OAuthAssert.ErrorAsync(response.HttpResponse!, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidGrant, "does not match");
    }

    [TestCase(42, 'a', TestName = "VerifierOf42Characters_IsInvalidRequest")]
    [TestCase(129, 'a', TestName = "VerifierOf129Characters_IsInvalidRequest")]
    [TestCase(50, '+', TestName = "VerifierWithForbiddenCharacter_IsInvalidRequest")]
    public async Task MalformedVerifier_IsInvalidRequest(int length, char filler)
    {
        var client = await Clients.AddPublicAsync();
        var code = await Clients.IssueCodeAsync(client.ClientId);

        var response = await RedeemAsync(client, code with { Verifier = new string('a', length - 1) + filler });

        await OAuthAssert.ErrorAsync(response.HttpResponse!, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidRequest, "code_verifier");
    }

    [Test]
    public async Task VerifierForCodeIssuedWithoutChallenge_IsInvalidGrant()
    {
        var client = await Clients.AddConfidentialAsync();
        var code = await Clients.IssueCodeAsync(client.ClientId, withPkce: false);

        var response = await RedeemAsync(client, code with { Verifier = TestClients.NewVerifier() });

        await OAuthAssert.ErrorAsync(response.HttpResponse!, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidGrant, "without a code_challenge");
    }

    [Test]
    public async Task MissingVerifierForCodeIssuedWithChallenge_IsInvalidGrant()
    {
        var client = await Clients.AddPublicAsync();
        var code = await Clients.IssueCodeAsync(client.ClientId);

        var response = await RedeemAsync(client, code with { Verifier = null });

        await OAuthAssert.ErrorAsync(response.HttpResponse!, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidGrant, "send its code_verifier");
    }

    [Test]
    public async Task PlainPkceForClientNotAllowedIt_IsInvalidGrant()
    {
        var client = await Clients.AddPublicAsync(allowPlainPkce: false);
        var code = await Clients.IssueCodeAsync(client.ClientId, method: Pkce.Plain);

        var response = await RedeemAsync(client, code);

        await OAuthAssert.ErrorAsync(response.HttpResponse!, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidGrant, "plain");
    }

    [Test]
    public async Task PublicClientCodeWithoutChallenge_IsInvalidGrant()
    {
        var client = await Clients.AddPublicAsync();
        var code = await Clients.IssueCodeAsync(client.ClientId, withPkce: false);

        var response = await RedeemAsync(client, code);

        await OAuthAssert.ErrorAsync(response.HttpResponse!, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidGrant, "Public clients must use PKCE");
    }
}
