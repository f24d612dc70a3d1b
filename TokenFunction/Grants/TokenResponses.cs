using TokenFunction.Protocol;
using TokenFunction.Signing;

namespace TokenFunction.Grants;

/// <summary>The one way a grant answers with tokens (RFC 6749 section 5.1).</summary>
public static class TokenResponses
{
    /// <summary>
    /// A Bearer access token, and the refresh token when the grant issues one. <c>scope</c> is the access token's scope,
    /// left out when it has none (section 5.1 makes it optional; an empty string would claim an empty scope).
    /// </summary>
    public static AccessTokenResponse Bearer(AccessToken accessToken, string? refreshToken)
    {
        ArgumentNullException.ThrowIfNull(accessToken);
        return new(accessToken.Value, AccessTokenResponse.BearerTokenType, accessToken.ExpiresInSeconds,
            accessToken.Scope.Length > 0 ? accessToken.Scope : null, refreshToken);
    }
}
