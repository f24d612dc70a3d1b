using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace TokenFunction.Tests.Infrastructure;

/// <summary>Validates access tokens the way a resource server would: Microsoft.IdentityModel against the published JWKS.</summary>
public static class JwtValidation
{
    public static async Task<TokenValidationResult> ValidateAsync(HttpClient http, Uri jwksUri, string token, string issuer, string audience)
    {
        var jwks = new JsonWebKeySet(await http.GetStringAsync(jwksUri));
        var parameters = new TokenValidationParameters
        {
            ValidIssuer = issuer,
            ValidAudience = audience,
            IssuerSigningKeys = jwks.GetSigningKeys(),
            ValidTypes = ["at+jwt"],
            ValidateLifetime = true,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
        };
        return await new JsonWebTokenHandler().ValidateTokenAsync(token, parameters);
    }
}
