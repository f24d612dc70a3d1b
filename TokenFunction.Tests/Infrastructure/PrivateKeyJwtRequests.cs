using Duende.IdentityModel;
using Duende.IdentityModel.Client;

namespace TokenFunction.Tests.Infrastructure;

/// <summary>Token requests authenticated with a client assertion (private_key_jwt), as Duende.IdentityModel sends them.</summary>
public static class PrivateKeyJwtRequests
{
    /// <summary>The JWT bearer assertion parameter pair (RFC 7523 section 2.2) for <paramref name="assertion"/>.</summary>
    public static ClientAssertion Assertion(string assertion) => new() { Type = OidcConstants.ClientAssertionTypes.JwtBearer, Value = assertion };

    /// <summary>client_credentials with the assertion in the body; <paramref name="clientId"/> is sent as <c>client_id</c> too.</summary>
    public static Task<TokenResponse> ClientCredentialsAsync(HttpClient http, string tokenEndpoint, string clientId, string assertion) =>
        http.RequestClientCredentialsTokenAsync(new ClientCredentialsTokenRequest
        {
            Address = tokenEndpoint,
            ClientId = clientId,
            ClientCredentialStyle = ClientCredentialStyle.PostBody,
            ClientAssertion = Assertion(assertion),
        });
}
