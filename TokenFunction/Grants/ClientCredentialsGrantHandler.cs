using TokenFunction.Protocol;
using TokenFunction.Signing;
using TokenFunction.Telemetry;

namespace TokenFunction.Grants;

/// <summary>
/// The client credentials grant (RFC 6749 section 4.4): a confidential client, authenticated by the endpoint, gets an
/// access token for itself (<c>sub</c> = its client id). The <c>scope</c> asked for must be registered for the client;
/// without one the token carries all of the client's registered scopes (section 3.3 lets the server apply a default,
/// and the registration is the only policy there is). No refresh token (section 4.4.3): the client can always ask again.
/// </summary>
public sealed class ClientCredentialsGrantHandler(AccessTokenFactory tokens, AuditLog audit) : IGrantHandler
{
    public string GrantType => GrantTypeNames.ClientCredentials;

    public GrantParameters Parameters { get; } = new([], [OAuthParameterNames.Scope, OAuthParameterNames.Resource]);

    public async Task<AccessTokenResponse> HandleAsync(GrantRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var client = request.Client;

        // The endpoint refuses clients not registered for the grant; a public client must never get here, and if a
        // registration says otherwise, the grant still requires a credential only a confidential client has.
        if (client.IsPublic)
        {
            throw new OAuthProtocolException(OAuthErrorCodes.UnauthorizedClient, "Public clients may not use the client_credentials grant.");
        }

        var scope = GrantedScope(client.AllowedScopes, request.Parameters[OAuthParameterNames.Scope]);
        var resources = ResourceIndicators.Granted(request.Parameters, client.AllowedResources);
        var token = await tokens.CreateAsync(new AccessTokenDescriptor(client.ClientId, client.ClientId, scope, resources, request.DpopThumbprint), cancellationToken).ConfigureAwait(false);
        audit.ClientTokenIssued(client.ClientId, GrantType);
        return TokenResponses.Issued(token, refreshToken: null);
    }

    /// <summary>The requested scopes (duplicates dropped, order kept), each registered; none requested: all registered.</summary>
    private static string GrantedScope(IReadOnlySet<string> registered, string? requested)
    {
        var asked = Scopes.Parse(requested);
        if (asked.Count == 0)
        {
            return Scopes.Join(registered.Order(StringComparer.Ordinal));
        }

        if (Scopes.FirstOutside(asked, registered) is { } unknown)
        {
            throw new OAuthProtocolException(OAuthErrorCodes.InvalidScope, $"The scope {ErrorText.Quote(unknown)} is not registered for this client.");
        }

        return Scopes.Join(asked);
    }
}
