using Duende.IdentityModel.Client;

namespace TokenFunction.Tests.Infrastructure;

/// <summary>A code exchange as a real client sends it (Duende.IdentityModel), against any host.</summary>
public static class CodeRedemption
{
    public static Task<TokenResponse> RedeemAsync(
        HttpClient http,
        Uri tokenEndpoint,
        RegisteredClient client,
        IssuedCode code,
        ClientCredentialStyle style = ClientCredentialStyle.AuthorizationHeader,
        string redirectUri = TestClients.RedirectUri,
        IEnumerable<string>? resources = null) =>
        http.RequestAuthorizationCodeTokenAsync(new AuthorizationCodeTokenRequest
        {
            Address = tokenEndpoint.ToString(),
            ClientId = client.ClientId,
            ClientSecret = client.Secret,
            ClientCredentialStyle = client.Secret is null ? ClientCredentialStyle.PostBody : style,
            Code = code.Code,
            RedirectUri = redirectUri,
            CodeVerifier = code.Verifier,
            Resource = (resources ?? []).ToHashSet(StringComparer.Ordinal),
        });

    /// <summary>A refresh as a real client sends it: confidential clients authenticate, public ones send client_id.</summary>
    public static Task<TokenResponse> RefreshAsync(
        HttpClient http,
        Uri tokenEndpoint,
        RegisteredClient client,
        string refreshToken,
        string? scope = null,
        IEnumerable<string>? resources = null) =>
        http.RequestRefreshTokenAsync(new RefreshTokenRequest
        {
            Address = tokenEndpoint.ToString(),
            ClientId = client.ClientId,
            ClientSecret = client.Secret,
            ClientCredentialStyle = client.Secret is null ? ClientCredentialStyle.PostBody : ClientCredentialStyle.AuthorizationHeader,
            RefreshToken = refreshToken,
            Scope = scope,
            Resource = (resources ?? []).ToHashSet(StringComparer.Ordinal),
        });
}
