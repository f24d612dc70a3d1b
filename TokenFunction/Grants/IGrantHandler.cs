using TokenFunction.Clients;
using TokenFunction.Protocol;

namespace TokenFunction.Grants;

/// <summary>The request a grant handler sees: its parameters and the client, already authenticated.</summary>
public sealed record GrantRequest(FormParameters Parameters, OAuthClient Client);

/// <summary>One grant type's rules (RFC 6749 section 4): validates the grant and issues the tokens.</summary>
public interface IGrantHandler
{
    /// <summary>The <c>grant_type</c> value this handler serves.</summary>
    string GrantType { get; }

    Task<AccessTokenResponse> HandleAsync(GrantRequest request, CancellationToken cancellationToken);
}
