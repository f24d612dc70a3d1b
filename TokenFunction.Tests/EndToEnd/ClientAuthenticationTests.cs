using System.Net;
using Duende.IdentityModel.Client;
using TokenFunction.Protocol;
using TokenFunction.Tests.Infrastructure;

namespace TokenFunction.Tests.EndToEnd;

/// <summary>Client authentication (RFC 6749 section 2.3): one method per request, 401 invalid_client when it fails.</summary>
public sealed class ClientAuthenticationTests : EndToEndTest
{
    [Test]
    public async Task UnknownClient_IsInvalidClient()
    {
        var code = await Clients.IssueCodeAsync((await Clients.AddPublicAsync()).ClientId);
        var response = await RedeemAsync(new RegisteredClient("no-such-client", "some-secret-that-is-long-enough-000"), code, ClientCredentialStyle.PostBody);

        await OAuthAssert.ClientAuthenticationFailedAsync(response.HttpResponse!, Logs, "unknown client");
    }

    [Test]
    public async Task WrongSecretInBody_IsInvalidClientWithoutChallenge()
    {
        var client = await Clients.AddConfidentialAsync();
        var code = await Clients.IssueCodeAsync(client.ClientId);

        var response = await RedeemAsync(client with { Secret = client.Secret + "x" }, code, ClientCredentialStyle.PostBody);

        await OAuthAssert.ClientAuthenticationFailedAsync(response.HttpResponse!, Logs, "wrong client secret");
    }

    [Test]
    public async Task WrongSecretInBasic_IsInvalidClientWithBasicChallenge()
    {
        var client = await Clients.AddConfidentialAsync();
        var code = await Clients.IssueCodeAsync(client.ClientId);

        var response = await RedeemAsync(client with { Secret = "wrong-" + client.Secret }, code, ClientCredentialStyle.AuthorizationHeader);

        await OAuthAssert.ClientAuthenticationFailedAsync(response.HttpResponse!, Logs, "wrong client secret", basicChallenge: true);
    }

    [Test]
    public async Task ConfidentialClientWithoutSecret_IsInvalidClient()
    {
        var client = await Clients.AddConfidentialAsync();
        var code = await Clients.IssueCodeAsync(client.ClientId);

        var response = await RedeemAsync(client with { Secret = null }, code);

        await OAuthAssert.ClientAuthenticationFailedAsync(response.HttpResponse!, Logs, "confidential");
    }

    [Test]
    public async Task PublicClientSendingASecret_IsInvalidClient()
    {
        var client = await Clients.AddPublicAsync();
        var code = await Clients.IssueCodeAsync(client.ClientId);

        var response = await RedeemAsync(client with { Secret = "a-secret-a-public-client-cannot-have" }, code, ClientCredentialStyle.PostBody);

        await OAuthAssert.ClientAuthenticationFailedAsync(response.HttpResponse!, Logs, "public");
    }

    [Test]
    public async Task BasicAndPostedSecretTogether_IsInvalidRequest()
    {
        var client = await Clients.AddConfidentialAsync();
        var code = await Clients.IssueCodeAsync(client.ClientId);
        var form = CodeForm(code, client.ClientId);
        form["client_secret"] = client.Secret!;

        using var response = await PostFormAsync(form, basic: BasicOf(client.ClientId, client.Secret!));

        await OAuthAssert.ErrorAsync(response, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidRequest);
    }

    [Test]
    public async Task BasicIdDifferingFromBodyClientId_IsInvalidRequest()
    {
        var client = await Clients.AddConfidentialAsync();
        var code = await Clients.IssueCodeAsync(client.ClientId);

        using var response = await PostFormAsync(CodeForm(code, "another-client"), basic: BasicOf(client.ClientId, client.Secret!));

        await OAuthAssert.ErrorAsync(response, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidRequest);
    }

    [Test]
    public async Task BasicIdEqualToBodyClientId_IsAccepted()
    {
        var client = await Clients.AddConfidentialAsync();
        var code = await Clients.IssueCodeAsync(client.ClientId);

        using var response = await PostFormAsync(CodeForm(code, client.ClientId), basic: BasicOf(client.ClientId, client.Secret!));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task MalformedBasicCredentials_AreInvalidClientWithChallenge()
    {
        var client = await Clients.AddConfidentialAsync();
        var code = await Clients.IssueCodeAsync(client.ClientId);

        using var response = await PostFormAsync(CodeForm(code), basic: "not base64 at all!");

        await OAuthAssert.ClientAuthenticationFailedAsync(response, Logs, "malformed", basicChallenge: true);
    }

    [Test]
    public async Task NoClientIdentification_IsInvalidClient()
    {
        var code = await Clients.IssueCodeAsync((await Clients.AddPublicAsync()).ClientId);

        using var response = await PostFormAsync(CodeForm(code));

        await OAuthAssert.ClientAuthenticationFailedAsync(response, Logs, "client_id");
    }

    [Test]
    public async Task ClientAssertionThatIsNotASignedJwt_IsInvalidClient()
    {
        var client = await Clients.AddPublicAsync();
        var code = await Clients.IssueCodeAsync(client.ClientId);
        var form = CodeForm(code, client.ClientId);
        form["client_assertion_type"] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
        form["client_assertion"] = "eyJ.eyJ.sig";

        using var response = await PostFormAsync(form);

        await OAuthAssert.ClientAuthenticationFailedAsync(response, Logs, "client assertion");
    }

    [Test]
    public async Task ClientNotAllowedTheGrant_IsUnauthorizedClient()
    {
        var client = await Clients.AddConfidentialAsync(grantTypes: new HashSet<string>(StringComparer.Ordinal));
        var code = await Clients.IssueCodeAsync(client.ClientId);

        var response = await RedeemAsync(client, code);

        await OAuthAssert.ErrorAsync(response.HttpResponse!, HttpStatusCode.BadRequest, OAuthErrorCodes.UnauthorizedClient);
    }
}
