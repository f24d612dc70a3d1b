namespace TokenFunction.Signing;

/// <summary>What a grant decided the access token says.</summary>
/// <remarks>
/// <see cref="Audiences"/>: the RFC 8707 resources the token is for; null or empty: the configured audience.
/// <see cref="DpopThumbprint"/>: the RFC 7638 thumbprint of the DPoP key the token is bound to (<c>cnf.jkt</c>); null: a bearer token.
/// </remarks>
public sealed record AccessTokenDescriptor(string Subject, string ClientId, string Scope, IReadOnlyList<string>? Audiences = null, string? DpopThumbprint = null);

/// <summary>A signed access token and what the response says about it.</summary>
public sealed record AccessToken(string Value, string TokenId, int ExpiresInSeconds, string Scope)
{
    /// <summary>The thumbprint in the token's <c>cnf.jkt</c>; null for a bearer token.</summary>
    public string? DpopThumbprint { get; init; }

    public override string ToString() => $"AccessToken {{ TokenId = {TokenId}, ExpiresInSeconds = {ExpiresInSeconds} }}";
}
