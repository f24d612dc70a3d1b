using System.Net;
using System.Text.Json;
using Duende.IdentityModel.Client;
using Microsoft.IdentityModel.JsonWebTokens;
using TokenFunction.Protocol;
using TokenFunction.Tests.Infrastructure;

namespace TokenFunction.Tests.EndToEnd;

/// <summary>A client holding a valid code gets an RFC 9068 access token that a resource server accepts.</summary>
public sealed class TokenExchangeTests : EndToEndTest
{
    [Test]
    public async Task ConfidentialClientWithBasicAuth_GetsAccessTokenThatValidatesAgainstJwks()
    {
        var client = await Clients.AddConfidentialAsync();
        var code = await Clients.IssueCodeAsync(client.ClientId, subject: "alice");

        var response = await RedeemAsync(client, code, ClientCredentialStyle.AuthorizationHeader);

        Assert.That(response.IsError, Is.False, response.Raw);
        OAuthAssert.AssertNoStoreJson(response.HttpResponse!);
        Assert.Multiple(() =>
        {
            Assert.That(response.TokenType, Is.EqualTo("Bearer"));
            Assert.That(response.ExpiresIn, Is.EqualTo(600));
            Assert.That(response.Scope, Is.EqualTo(TestClients.Scope));
            Assert.That(response.RefreshToken, Is.Null, "a client without the refresh_token grant gets no refresh token");
        });

        var validation = await JwtValidation.ValidateAsync(Http, Host.JwksUri, response.AccessToken!, ServiceHost.Issuer, ServiceHost.Audience);
        Assert.That(validation.IsValid, Is.True, validation.Exception?.Message);
        var jwt = (JsonWebToken)validation.SecurityToken;
        Assert.Multiple(() =>
        {
            Assert.That(jwt.Typ, Is.EqualTo("at+jwt"));
            Assert.That(jwt.Alg, Is.EqualTo("ES256"), "a generated local key is ES256 by default");
            Assert.That(jwt.Kid, Is.Not.Empty);
            Assert.That(jwt.Subject, Is.EqualTo("alice"));
            Assert.That(jwt.GetClaim("client_id").Value, Is.EqualTo(client.ClientId));
            Assert.That(jwt.GetClaim("scope").Value, Is.EqualTo(TestClients.Scope));
            Assert.That(jwt.Id, Is.Not.Empty);
            Assert.That(jwt.TryGetClaim("nbf", out _), Is.False, "no nbf: a resource server with a slow clock would refuse fresh tokens");
            Assert.That(jwt.ValidTo - jwt.IssuedAt, Is.EqualTo(TimeSpan.FromSeconds(600)));
        });
    }

    [Test]
    public async Task ConfidentialClientWithPostedSecret_GetsAccessToken()
    {
        var client = await Clients.AddConfidentialAsync();
        var code = await Clients.IssueCodeAsync(client.ClientId);

        var response = await RedeemAsync(client, code, ClientCredentialStyle.PostBody);

        Assert.That(response.IsError, Is.False, response.Raw);
        Assert.That(response.AccessToken, Is.Not.Empty);
    }

    [Test]
    public async Task PublicClient_GetsAccessTokenWithPkceAndNoSecret()
    {
        var client = await Clients.AddPublicAsync();
        var code = await Clients.IssueCodeAsync(client.ClientId);

        var response = await RedeemAsync(client, code);

        Assert.That(response.IsError, Is.False, response.Raw);
        var validation = await JwtValidation.ValidateAsync(Http, Host.JwksUri, response.AccessToken!, ServiceHost.Issuer, ServiceHost.Audience);
        Assert.That(validation.IsValid, Is.True, validation.Exception?.Message);
    }

    [Test]
    public async Task BasicCredentials_AreFormUrlDecodedAsRfc6749AppendixBRequires()
    {
        const string secret = "s3cret with: colon + plus % percent & amp = eq é ü / slash";
        var client = await Clients.AddConfidentialAsync(clientId: TestClients.NewId("id.with~chars"), secret: secret);
        var code = await Clients.IssueCodeAsync(client.ClientId);

        // Duende encodes id and secret as Appendix B says before joining them with ':'.
        var response = await RedeemAsync(client, code, ClientCredentialStyle.AuthorizationHeader);

        Assert.That(response.IsError, Is.False, response.Raw);
    }

    [Test]
    public async Task ConfidentialClientCodeIssuedWithoutPkce_IsRedeemedWithoutVerifier()
    {
        var client = await Clients.AddConfidentialAsync();
        var code = await Clients.IssueCodeAsync(client.ClientId, withPkce: false);

        var response = await RedeemAsync(client, code);

        Assert.That(response.IsError, Is.False, response.Raw);
    }

    [Test]
    public async Task PlainPkce_IsAcceptedForAClientAllowedIt()
    {
        var client = await Clients.AddPublicAsync(allowPlainPkce: true);
        var code = await Clients.IssueCodeAsync(client.ClientId, method: Pkce.Plain);

        var response = await RedeemAsync(client, code);

        Assert.That(response.IsError, Is.False, response.Raw);
    }

    [Test]
    public async Task FormWithCharsetParameterAndUnknownParameters_IsAccepted()
    {
        var client = await Clients.AddPublicAsync();
        var code = await Clients.IssueCodeAsync(client.ClientId);
        var form = CodeForm(code, client.ClientId);
        form["unknown_extension"] = "ignored";
        form["state"] = string.Empty;
        var body = string.Join('&', form.Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value)}"));

        using var response = await PostRawAsync(body, "Application/X-WWW-Form-URLEncoded; charset=ISO-8859-1");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task JwksDocument_PublishesOnlyPublicKeyMembersAndMayBeCached()
    {
        using var response = await Http.GetAsync(Host.JwksUri);
        var json = await response.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(json);
        var keys = document.RootElement.GetProperty("keys").EnumerateArray().ToList();

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(response.Headers.CacheControl?.Public, Is.True);
            Assert.That(response.Headers.CacheControl?.MaxAge, Is.GreaterThan(TimeSpan.Zero));
            Assert.That(keys, Has.Count.EqualTo(1));
            Assert.That(keys[0].GetProperty("use").GetString(), Is.EqualTo("sig"));
            foreach (var privateMember in new[] { "d", "p", "q", "dp", "dq", "qi" })
            {
                Assert.That(keys[0].TryGetProperty(privateMember, out _), Is.False, $"private member {privateMember} must not be published");
            }
        });
    }

    [Test]
    public async Task TokenEndpoint_AnswersGetWith405AndAnOAuthError()
    {
        using var response = await Http.GetAsync(Host.TokenEndpoint);

        await OAuthAssert.ErrorAsync(response, HttpStatusCode.MethodNotAllowed, OAuthErrorCodes.InvalidRequest);
        Assert.That(response.Content.Headers.Allow, Is.EquivalentTo(new[] { "POST" }));
    }
}
