using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using TokenFunction.Clients;
using TokenFunction.Grants;
using TokenFunction.Protocol;
using TokenFunction.Telemetry;

namespace TokenFunction.Endpoints;

/// <summary>
/// POST /api/v1/oauth/revoke (RFC 7009), independent of any host: the request is read and the client authenticated
/// exactly as at the token endpoint, <see cref="RefreshTokenRevocation"/> decides, and whatever it did (unknown,
/// already revoked, an access token, another client's) an authenticated request is answered 200 with an empty body,
/// so the answer is no oracle for tokens.
/// </summary>
public sealed class RevocationEndpoint(
    FormRequest form,
    ClientAuthenticator authenticator,
    RefreshTokenRevocation revocation,
    ILogger<RevocationEndpoint> logger)
{
    public Task<OAuthResult> HandleAsync(HttpRequest request, CancellationToken cancellationToken) =>
        form.HandleAsync(request, TelemetryNames.Value.RevocationEndpoint, logger, async (parameters, record, requestAborted) =>
        {
            var credentials = ClientCredentialsParser.Parse(request.Headers.Authorization, parameters);
            record.ClientId = credentials.ClientId;
            var client = await authenticator.AuthenticateAsync(credentials, requestAborted).ConfigureAwait(false);
            var token = parameters.Required(OAuthParameterNames.Token);
            var outcome = await revocation.RevokeAsync(client, token, requestAborted).ConfigureAwait(false);
            record.Outcome = outcome.ToString();
            return OAuthResult.Revoked();
        }, cancellationToken);
}
