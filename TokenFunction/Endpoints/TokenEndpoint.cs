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
    public async Task<OAuthResult> HandleAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!HttpMethods.IsPost(request.Method))
        {
            return OAuthResult.MethodNotAllowed(HttpMethods.Post);
        }

        try
        {
            QueryCredentials.Reject(request.Query);
            var parameters = await FormBodyReader.ReadAsync(request, cancellationToken).ConfigureAwait(false);
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
        }
        catch (OAuthProtocolException e)
        {
            LogRefused(logger, e.Error, e.StatusCode, e.Message);
            return OAuthResult.Error(e);
        }
        catch (Exception e) when (FaultClassifier.IsTransient(e) && !cancellationToken.IsCancellationRequested)
        {
            LogTransientFault(logger, e.GetType().Name, e.Message);
            return OAuthResult.TemporarilyUnavailable(FaultClassifier.RetryAfter(e));
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            LogFault(logger, e);
            return OAuthResult.ServerError();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Issued tokens to client {ClientId} for grant type {GrantType}.")]
    private static partial void LogIssued(ILogger logger, string clientId, string grantType);

    [LoggerMessage(Level = LogLevel.Information, Message = "Refused a token request: {Error} ({Status}): {Description}")]
    private static partial void LogRefused(ILogger logger, string error, int status, string description);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A dependency failed transiently ({ExceptionType}): {Reason}. Answered 503 with Retry-After.")]
    private static partial void LogTransientFault(ILogger logger, string exceptionType, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "The token request failed; answered server_error.")]
    private static partial void LogFault(ILogger logger, Exception exception);
}
