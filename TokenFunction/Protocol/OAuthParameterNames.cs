namespace TokenFunction.Protocol;

/// <summary>The request and response parameter names of RFC 6749, RFC 7636, RFC 7009 and RFC 9068, written once.</summary>
public static class OAuthParameterNames
{
    public const string GrantType = "grant_type";
    public const string Code = "code";
    public const string RedirectUri = "redirect_uri";
    public const string ClientId = "client_id";
    public const string ClientSecret = "client_secret";
    public const string CodeVerifier = "code_verifier";
    public const string Scope = "scope";

    /// <summary>RFC 8707: the resource the token is for; the only parameter that may be sent more than once.</summary>
    public const string Resource = "resource";
    public const string RefreshToken = "refresh_token";
    public const string Password = "password";
    public const string ClientAssertion = "client_assertion";
    public const string ClientAssertionType = "client_assertion_type";

    /// <summary>RFC 7009: the token to revoke, and what the client says it is.</summary>
    public const string Token = "token";
    public const string TokenTypeHint = "token_type_hint";

    public const string AccessToken = "access_token";
    public const string TokenType = "token_type";
    public const string ExpiresIn = "expires_in";
    public const string Error = "error";
    public const string ErrorDescription = "error_description";

    /// <summary>Parameters that carry a credential and so must never travel in a URL, where logs and proxies keep them.</summary>
    public static IReadOnlyList<string> Credentials { get; } =
        [Code, ClientSecret, CodeVerifier, RefreshToken, Password, ClientAssertion, Token];
}
