using System.Net;
using Duende.IdentityModel.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using TokenFunction.Clients;
using TokenFunction.Protocol;
using TokenFunction.Storage;
using TokenFunction.Tests.Infrastructure;

namespace TokenFunction.Tests.EndToEnd;

/// <summary>The client credentials grant (RFC 6749 section 4.4), requested as a real client library sends it.</summary>
public sealed class ClientCredentialsGrantTests : EndToEndTest
{
    private static readonly IReadOnlySet<string> ClientCredentialsOnly = new HashSet<string>(StringComparer.Ordinal) { GrantTypeNames.ClientCredentials };

    [TestCase(ClientCredentialStyle.AuthorizationHeader, TestName = "ConfidentialClientWithBasicAuth_GetsJwtForItselfWithTheRequestedScopeAndNoRefreshToken")]
    [TestCase(ClientCredentialStyle.PostBody, TestName = "ConfidentialClientWithPostedSecret_GetsJwtForItselfWithTheRequestedScopeAndNoRefreshToken")]
    public async Task ConfidentialClient_GetsJwtForItself(ClientCredentialStyle style)
    {
        var client = await Clients.AddConfidentialAsync(grantTypes: ClientCredentialsOnly);

        var response = await RequestAsync(client, "orders:read", style);

        Assert.That(response.IsError, Is.False, response.Raw);
        OAuthAssert.AssertNoStoreJson(response.HttpResponse!);
        Assert.Multiple(() =>
        {
            Assert.That(response.TokenType, Is.EqualTo("Bearer"));
            Assert.That(response.ExpiresIn, Is.EqualTo(600));
            Assert.That(response.Scope, Is.EqualTo("orders:read"));
            Assert.That(response.RefreshToken, Is.Null, "RFC 6749 section 4.4.3: no refresh token");
            Assert.That(response.Json?.TryGetProperty("refresh_token", out _), Is.False);
        });

        var jwt = await ValidateAsync(response);
        Assert.Multiple(() =>
        {
            Assert.That(jwt.Typ, Is.EqualTo("at+jwt"));
            Assert.That(jwt.Subject, Is.EqualTo(client.ClientId), "the client acts for itself");
            Assert.That(jwt.GetClaim("client_id").Value, Is.EqualTo(client.ClientId));
            Assert.That(jwt.GetClaim("scope").Value, Is.EqualTo("orders:read"));
        });
    }

    [Test]
    public async Task SeveralRequestedScopes_AreGrantedAsRequested()
    {
        var client = await Clients.AddConfidentialAsync(grantTypes: ClientCredentialsOnly);

        var response = await RequestAsync(client, "orders:write orders:read orders:write");

        Assert.That(response.IsError, Is.False, response.Raw);
        Assert.That(response.Scope, Is.EqualTo("orders:write orders:read"), "in the order asked, each once");
        Assert.That((await ValidateAsync(response)).GetClaim("scope").Value, Is.EqualTo("orders:write orders:read"));
    }

    [Test]
    public async Task NoScopeRequested_GrantsAllTheClientsRegisteredScopes()
    {
        var client = await Clients.AddConfidentialAsync(grantTypes: ClientCredentialsOnly);

        var response = await RequestAsync(client, scope: null);

        Assert.That(response.IsError, Is.False, response.Raw);
        Assert.That(response.Scope, Is.EqualTo(TestClients.Scope));
        Assert.That((await ValidateAsync(response)).GetClaim("scope").Value, Is.EqualTo(TestClients.Scope));
    }

    [Test]
    public async Task ScopeNotRegisteredForTheClient_IsInvalidScopeNamingIt()
    {
        var client = await Clients.AddConfidentialAsync(grantTypes: ClientCredentialsOnly);

        var response = await RequestAsync(client, "orders:read admin:all");

        Assert.That(response.Error, Is.EqualTo(OAuthErrorCodes.InvalidScope), response.Raw);
        await OAuthAssert.ErrorAsync(response.HttpResponse!, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidScope);
    }

    [Test]
    public async Task ClientNotRegisteredForTheGrant_IsUnauthorizedClient()
    {
        var client = await Clients.AddConfidentialAsync(grantTypes: TestClients.WithRefreshTokens);

        var response = await RequestAsync(client, "orders:read");

        await OAuthAssert.ErrorAsync(response.HttpResponse!, HttpStatusCode.BadRequest, OAuthErrorCodes.UnauthorizedClient);
    }

    [Test]
    public async Task PublicClient_IsUnauthorizedClient()
    {
        // A public client authenticates with its client_id alone (method none), so it is known and refused the grant.
        var client = await Clients.AddPublicAsync();

        var response = await RequestAsync(client, "orders:read");

        await OAuthAssert.ErrorAsync(response.HttpResponse!, HttpStatusCode.BadRequest, OAuthErrorCodes.UnauthorizedClient);
    }

    [Test]
    public async Task PublicClientWhoseRegistrationAllowsTheGrant_IsStillUnauthorizedClient()
    {
        // tokenctl refuses such a registration; one written to the table by other means still gets no token.
        var client = await Clients.AddPublicAsync(grantTypes: ClientCredentialsOnly);

        var response = await RequestAsync(client, "orders:read");

        await OAuthAssert.ErrorAsync(response.HttpResponse!, HttpStatusCode.BadRequest, OAuthErrorCodes.UnauthorizedClient);
    }

    [Test]
    public async Task PublicClientSendingASecret_IsInvalidClient()
    {
        var client = await Clients.AddPublicAsync(grantTypes: ClientCredentialsOnly);

        var response = await RequestAsync(client with { Secret = ClientSecretHasher.GenerateSecret() }, "orders:read");

        await OAuthAssert.ClientAuthenticationFailedAsync(response.HttpResponse!, Logs, "public", basicChallenge: true);
    }

    [TestCase(ClientCredentialStyle.AuthorizationHeader, true, TestName = "WrongSecretInBasicAuth_Is401InvalidClientWithBasicChallenge")]
    [TestCase(ClientCredentialStyle.PostBody, false, TestName = "WrongPostedSecret_Is401InvalidClient")]
    public async Task WrongSecret_Is401InvalidClient(ClientCredentialStyle style, bool basicChallenge)
    {
        var client = await Clients.AddConfidentialAsync(grantTypes: ClientCredentialsOnly);

        var response = await RequestAsync(client with { Secret = ClientSecretHasher.GenerateSecret() }, "orders:read", style);

        await OAuthAssert.ClientAuthenticationFailedAsync(response.HttpResponse!, Logs, "wrong client secret", basicChallenge);
    }

    [Test]
    public async Task ConfidentialClientWithoutSecret_Is401InvalidClient()
    {
        var client = await Clients.AddConfidentialAsync(grantTypes: ClientCredentialsOnly);

        var response = await RequestAsync(client with { Secret = null }, "orders:read");

        await OAuthAssert.ClientAuthenticationFailedAsync(response.HttpResponse!, Logs, "confidential");
    }

    [Test]
    public async Task ClientWithNoRegisteredScopes_GetsATokenWithoutScope()
    {
        var client = await Clients.AddConfidentialAsync(grantTypes: ClientCredentialsOnly);
        var store = Host.Services.GetRequiredService<ClientStore>();
        var registered = (await store.FindAsync(client.ClientId, CancellationToken.None))!;
        await store.SaveAsync(registered with { AllowedScopes = new HashSet<string>(StringComparer.Ordinal) }, replace: true, CancellationToken.None);

        var response = await RequestAsync(client, scope: null);

        Assert.That(response.IsError, Is.False, response.Raw);
        Assert.That(response.Json?.TryGetProperty("scope", out _), Is.False, "no empty scope in the response");
        Assert.That((await ValidateAsync(response)).TryGetClaim("scope", out _), Is.False);
    }

    private Task<TokenResponse> RequestAsync(RegisteredClient client, string? scope, ClientCredentialStyle style = ClientCredentialStyle.AuthorizationHeader) =>
        Http.RequestClientCredentialsTokenAsync(new ClientCredentialsTokenRequest
        {
            Address = Host.TokenEndpoint.ToString(),
            ClientId = client.ClientId,
            ClientSecret = client.Secret,
            ClientCredentialStyle = client.Secret is null ? ClientCredentialStyle.PostBody : style,
            Scope = scope,
        });

    private async Task<JsonWebToken> ValidateAsync(TokenResponse response)
    {
        var validation = await JwtValidation.ValidateAsync(Http, Host.JwksUri, response.AccessToken!, ServiceHost.Issuer, ServiceHost.Audience);
        Assert.That(validation.IsValid, Is.True, validation.Exception?.Message);
        return (JsonWebToken)validation.SecurityToken;
    }
}
