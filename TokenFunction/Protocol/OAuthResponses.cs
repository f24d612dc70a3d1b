using System.Text.Json.Serialization;

namespace TokenFunction.Protocol;

/// <summary>The successful token response (RFC 6749 section 5.1; the seed's api.AccessTokenResponse).</summary>
public sealed record AccessTokenResponse(
    [property: JsonPropertyName(OAuthParameterNames.AccessToken)] string AccessToken,
    [property: JsonPropertyName(OAuthParameterNames.TokenType)] string TokenType,
    [property: JsonPropertyName(OAuthParameterNames.ExpiresIn)] int ExpiresIn,
    [property: JsonPropertyName(OAuthParameterNames.Scope)][property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Scope,
    [property: JsonPropertyName(OAuthParameterNames.RefreshToken)][property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? RefreshToken)
{
    public const string BearerTokenType = "Bearer";

    /// <summary>RFC 9449 section 5: an access token bound to the key of the request's DPoP proof.</summary>
    public const string DpopTokenType = "DPoP";

    public override string ToString() => $"AccessTokenResponse {{ TokenType = {TokenType}, ExpiresIn = {ExpiresIn}, Scope = {Scope} }}";
}

/// <summary>The error response (RFC 6749 section 5.2; the seed's api.OAuthErrorResponse).</summary>
public sealed record OAuthErrorResponse(
    [property: JsonPropertyName(OAuthParameterNames.Error)] string Error,
    [property: JsonPropertyName(OAuthParameterNames.ErrorDescription)][property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ErrorDescription);
