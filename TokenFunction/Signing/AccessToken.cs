namespace TokenFunction.Signing;

/// <summary>What a grant decided the access token says.</summary>
/// <remarks><see cref="Audiences"/>: the RFC 8707 resources the token is for; null or empty: the configured audience.</remarks>
public sealed record AccessTokenDescriptor(string Subject, string ClientId, string Scope, IReadOnlyList<string>? Audiences = null);

/// <summary>A signed access token and what the response says about it.</summary>
public sealed record AccessToken(string Value, string TokenId, int ExpiresInSeconds, string Scope)
{
    public override string ToString() => $"AccessToken {{ TokenId = {TokenId}, ExpiresInSeconds = {ExpiresInSeconds} }}";
}
