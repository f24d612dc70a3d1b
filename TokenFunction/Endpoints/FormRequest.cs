using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using TokenFunction.Protocol;

namespace TokenFunction.Endpoints;

/// <summary>
/// What the token and revocation endpoints share: POST only, no credential in the URL, a form body read within its
/// limits, and every outcome turned into an RFC 6749 response (protocol refusals, 503 for faults a retry may cure,
/// 500 for the rest), logged without credentials.
/// </summary>
public static partial class FormRequest
{
    public static async Task<OAuthResult> HandleAsync(
        HttpRequest request,
        ILogger logger,
        Func<FormParameters, Task<OAuthResult>> handle,
        CancellationToken cancellationToken)
    {
        if (!HttpMethods.IsPost(request.Method))
        {
            return OAuthResult.MethodNotAllowed(HttpMethods.Post);
        }

        try
        {
            QueryCredentials.Reject(request.Query);
            var parameters = await FormBodyReader.ReadAsync(request, cancellationToken).ConfigureAwait(false);
            return await handle(parameters).ConfigureAwait(false);
        }
        catch (OAuthProtocolException e)
        {
            LogRefused(logger, request.Path, e.Error, e.StatusCode, e.Message);
            return OAuthResult.Error(e);
        }
        catch (Exception e) when (FaultClassifier.IsTransient(e) && !cancellationToken.IsCancellationRequested)
        {
            LogTransientFault(logger, request.Path, e.GetType().Name, e.Message);
            return OAuthResult.TemporarilyUnavailable(FaultClassifier.RetryAfter(e));
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            LogFault(logger, e, request.Path);
            return OAuthResult.ServerError();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Refused a request to {Path}: {Error} ({Status}): {Description}")]
    private static partial void LogRefused(ILogger logger, string path, string error, int status, string description);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A dependency failed transiently at {Path} ({ExceptionType}): {Reason}. Answered 503 with Retry-After.")]
    private static partial void LogTransientFault(ILogger logger, string path, string exceptionType, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "The request to {Path} failed; answered server_error.")]
    private static partial void LogFault(ILogger logger, Exception exception, string path);
}
