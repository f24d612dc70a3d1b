namespace TokenFunction.Protocol;

/// <summary>The <c>grant_type</c> values the service knows.</summary>
public static class GrantTypeNames
{
    public const string AuthorizationCode = "authorization_code";
    public const string RefreshToken = "refresh_token";
    public const string ClientCredentials = "client_credentials";

    /// <summary>Every name above: what a client may be registered for.</summary>
    public static IReadOnlyList<string> All { get; } = [AuthorizationCode, RefreshToken, ClientCredentials];
}
