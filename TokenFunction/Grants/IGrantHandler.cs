using TokenFunction.Clients;
using TokenFunction.Protocol;

namespace TokenFunction.Grants;

/// <summary>
/// The request a grant handler sees: the parameters it declared, and the client, already authenticated; with
/// <see cref="DpopThumbprint"/>, the key of the request's DPoP proof (RFC 9449), already checked.
/// </summary>
public sealed record GrantRequest(FormParameters Parameters, OAuthClient Client)
{
    /// <summary>The RFC 7638 thumbprint of the DPoP proof's key; null when the request carries no proof.</summary>
    public string? DpopThumbprint { get; init; }
}

/// <summary>
/// The parameters a grant reads (as node-oidc-provider's grants declare them): the token endpoint refuses a request
/// without a required one before the grant runs, and shows the grant nothing else.
/// </summary>
public sealed record GrantParameters(IReadOnlyList<string> Required, IReadOnlyList<string> Optional)
{
    public IEnumerable<string> All => Required.Concat(Optional);
}

/// <summary>
/// One grant type's rules (RFC 6749 section 4): validates the grant and issues the tokens. A new grant is a class
/// implementing this in Grants/ and one line registering it (<c>AddGrant</c> in Hosting's composition).
/// </summary>
public interface IGrantHandler
{
    /// <summary>The <c>grant_type</c> value this handler serves.</summary>
    string GrantType { get; }

    /// <summary>The request parameters this grant reads, beyond <c>grant_type</c> and client authentication.</summary>
    GrantParameters Parameters { get; }

    Task<AccessTokenResponse> HandleAsync(GrantRequest request, CancellationToken cancellationToken);
}
