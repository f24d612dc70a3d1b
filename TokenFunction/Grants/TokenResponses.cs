using TokenFunction.Protocol;
using TokenFunction.Signing;

namespace TokenFunction.Grants;

/// <summary>The one way a grant answers with tokens (RFC 6749 section 5.1).</summary>
public static class TokenResponses
{
    /// <summary>
    /// The access token, and the refresh token when the grant issues one. <c>token_type</c> is <c>DPoP</c> for a token
    /// bound to a DPoP key (RFC 9449 section 5), else <c>Bearer</c>. <c>scope</c> is the access token's scope, left out
    /// when it has none (section 5.1 makes it optional; an empty string would claim an empty scope).
    /// </summary>
    public static AccessTokenResponse Issued(AccessToken accessToken, string? refreshToken)
    {
        ArgumentNullException.ThrowIfNull(accessToken);
        var type = accessToken.DpopThumbprint is null ? AccessTokenResponse.BearerTokenType : AccessTokenResponse.DpopTokenType;
        return new(accessToken.Value, type, accessToken.ExpiresInSeconds,
            accessToken.Scope.Length > 0 ? accessToken.Scope : null, refreshToken);
    }
}
