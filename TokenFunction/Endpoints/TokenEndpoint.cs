using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using TokenFunction.Clients;
using TokenFunction.Grants;
using TokenFunction.Protocol;
using TokenFunction.Telemetry;

namespace TokenFunction.Endpoints;

/// <summary>
/// POST /api/v1/oauth/token, independent of any host: parse, authenticate the client, dispatch to the grant
/// handler, and turn every outcome into an RFC 6749 response. Nothing here logs a credential.
/// </summary>
public sealed class TokenEndpoint(
    FormRequest form,
    ClientAuthenticator authenticator,
    GrantHandlers grants,
    DpopProofCheck dpop,
    ILogger<TokenEndpoint> logger)
{
    public const string IssuedOutcome = "issued";

    public Task<OAuthResult> HandleAsync(HttpRequest request, CancellationToken cancellationToken) =>
        form.HandleAsync(request, TelemetryNames.Value.TokenEndpoint, logger, async (parameters, record, requestAborted) =>
        {
            var grantType = parameters.Required(OAuthParameterNames.GrantType);
            record.GrantType = grantType;
            var found = grants.Find(grantType);
            record.TelemetryGrantType = found?.GrantType ?? TelemetryNames.Value.Other;
            var credentials = ClientCredentialsParser.Parse(request.Headers.Authorization, parameters);
            record.ClientId = credentials.ClientId;
            // The client is authenticated before an unsupported grant type is named, so the answer tells nothing to a stranger.
            var client = await authenticator.AuthenticateAsync(credentials, requestAborted).ConfigureAwait(false);
            var handler = found
                ?? throw new OAuthProtocolException(OAuthErrorCodes.UnsupportedGrantType, $"The grant_type {ErrorText.Quote(grantType)} is not supported.");
            if (!client.AllowedGrantTypes.Contains(grantType))
            {
                throw new OAuthProtocolException(OAuthErrorCodes.UnauthorizedClient, $"This client is not allowed the {handler.GrantType} grant.");
            }

            // The grant sees only what it declared; a required parameter missing is refused before it runs.
            var declared = parameters.Only(handler.Parameters.All);
            foreach (var name in handler.Parameters.Required)
            {
                declared.Required(name);
            }

            // RFC 9449: on every grant, once the client is known (its registration may require a proof).
            var thumbprint = await dpop.CheckAsync(request, client, requestAborted).ConfigureAwait(false);
            var response = await handler.HandleAsync(new GrantRequest(declared, client) { DpopThumbprint = thumbprint }, requestAborted).ConfigureAwait(false);
            record.Outcome = IssuedOutcome;
            TokenMetrics.TokenIssued(handler.GrantType, client.ClientId);
            return OAuthResult.Token(response, dpop.NextNonce());
        }, cancellationToken);
}
