using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using TokenFunction.Clients;
using TokenFunction.Grants;
using TokenFunction.Protocol;

namespace TokenFunction.Endpoints;

/// <summary>
/// POST /api/v1/oauth/token, independent of any host: parse, authenticate the client, dispatch to the grant
/// handler, and turn every outcome into an RFC 6749 response. Nothing here logs a credential.
/// </summary>
public sealed partial class TokenEndpoint(
    ClientAuthenticator authenticator,
    GrantHandlers grants,
    ILogger<TokenEndpoint> logger)
{
    public Task<OAuthResult> HandleAsync(HttpRequest request, CancellationToken cancellationToken) =>
        FormRequest.HandleAsync(request, logger, async parameters =>
        {
            var grantType = parameters.Required(OAuthParameterNames.GrantType);
            var credentials = ClientCredentialsParser.Parse(request.Headers.Authorization, parameters);
            var client = await authenticator.AuthenticateAsync(credentials, cancellationToken).ConfigureAwait(false);
            var handler = grants.Find(grantType)
                ?? throw new OAuthProtocolException(OAuthErrorCodes.UnsupportedGrantType, $"The grant_type {ErrorText.Quote(grantType)} is not supported.");
            if (!client.AllowedGrantTypes.Contains(grantType))
            {
                throw new OAuthProtocolException(OAuthErrorCodes.UnauthorizedClient, $"This client is not allowed the {handler.GrantType} grant.");
            }

            var response = await handler.HandleAsync(new GrantRequest(parameters, client), cancellationToken).ConfigureAwait(false);
            LogIssued(logger, client.ClientId, grantType);
            return OAuthResult.Token(response);
        }, cancellationToken);

    [LoggerMessage(Level = LogLevel.Information, Message = "Issued tokens to client {ClientId} for grant type {GrantType}.")]
    private static partial void LogIssued(ILogger logger, string clientId, string grantType);
}
