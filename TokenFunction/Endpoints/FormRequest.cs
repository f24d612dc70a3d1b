using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TokenFunction.Grants;
using TokenFunction.Protocol;
using TokenFunction.Storage;
using TokenFunction.Settings;
using TokenFunction.Telemetry;

namespace TokenFunction.Endpoints;

/// <summary>
/// What the token and revocation endpoints share: POST only, the failed-authentication throttle, no credential in the
/// URL, a form body read within its limits, one storage budget for the request, and every outcome turned into an
/// RFC 6749 response (protocol refusals, 503 for faults a retry may cure, 500 for the rest). Each request writes one
/// log entry (endpoint, grant type, client, outcome, status, duration, source address), without credentials or URLs.
/// </summary>
public sealed partial class FormRequest(FailedAuthenticationThrottle throttle, IOptions<TokenOptions> options)
{
    /// <summary>The description of a grant whose stored row cannot be read (the log says what is wrong with it).</summary>
    public const string UnusableGrant = "The grant's stored record is damaged and cannot be used.";

    /// <param name="endpoint">The endpoint's name in telemetry (<see cref="TelemetryNames.Value.TokenEndpoint"/>, ...).</param>
    public async Task<OAuthResult> HandleAsync(
        HttpRequest request,
        string endpoint,
        ILogger logger,
        Func<FormParameters, RequestRecord, CancellationToken, Task<OAuthResult>> handle,
        CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var record = new RequestRecord();
        var source = SourceAddress.Of(request);
        var (result, level, detail, exception) = await RunAsync(request, record, source, logger, handle, cancellationToken).ConfigureAwait(false);
        var elapsed = Stopwatch.GetElapsedTime(started);
        LogRequest(logger, level, exception, request.Path, record.GrantType ?? "-", record.ClientId ?? "-",
            result.StatusCode < 400 ? record.Outcome : OutcomeOf(result, record), result.StatusCode,
            elapsed.TotalMilliseconds, source, detail ?? string.Empty);
        Measure(endpoint, record, result, elapsed);
        return result;
    }

    /// <summary>The request's metrics and its server span's OAuth attributes; every value from a bounded set.</summary>
    private static void Measure(string endpoint, RequestRecord record, OAuthResult result, TimeSpan elapsed)
    {
        var error = result.StatusCode >= 400 ? result.ErrorCode ?? OAuthErrorCodes.ServerError : null;
        TokenActivity.TagRequest(record.TelemetryGrantType, record.ClientId, error);
        TokenMetrics.RequestAnswered(endpoint, record.TelemetryGrantType, result.StatusCode, elapsed);
        if (error is not null)
        {
            TokenMetrics.RequestRejected(error, record.TelemetryGrantType);
        }
    }

    private async Task<(OAuthResult Result, LogLevel Level, string? Detail, Exception? Exception)> RunAsync(
        HttpRequest request,
        RequestRecord record,
        IPAddress source,
        ILogger logger,
        Func<FormParameters, RequestRecord, CancellationToken, Task<OAuthResult>> handle,
        CancellationToken cancellationToken)
    {
        if (!HttpMethods.IsPost(request.Method))
        {
            return (OAuthResult.MethodNotAllowed(HttpMethods.Post), LogLevel.Information, null, null);
        }

        if (throttle.IsBlocked(source, out var retryAfter))
        {
            return (OAuthResult.TooManyRequests(retryAfter), LogLevel.Information, "the address is throttled for failed client authentication", null);
        }

        // The host's token (shutdown) and the connection's (the client went away), whichever comes first.
        using var aborted = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, request.HttpContext.RequestAborted);
        try
        {
            QueryCredentials.Reject(request.Query.Keys);
            var parameters = await FormBodyReader.ReadAsync(request.ContentType, request.ContentLength, request.Body, aborted.Token).ConfigureAwait(false);
            using (StorageBudget.Start(TimeSpan.FromSeconds(options.Value.StorageBudgetSeconds)))
            {
                return (await handle(parameters, record, aborted.Token).ConfigureAwait(false), LogLevel.Information, null, null);
            }
        }
        catch (OAuthProtocolException e)
        {
            if (e.Error == OAuthErrorCodes.InvalidClient && throttle.RecordFailure(source))
            {
                LogThrottled(logger, source, throttle.Limit, throttle.Window.TotalSeconds);
            }

            return (OAuthResult.Error(e), LogLevel.Information, e.LogDetail ?? e.Message, null);
        }
        catch (IncompleteRequestBodyException e)
        {
            return (OAuthResult.Error(OAuthProtocolException.InvalidRequest("The request body is incomplete.")), LogLevel.Debug, e.Message, null);
        }
        catch (Exception) when (aborted.IsCancellationRequested)
        {
            // Nobody is left to read an answer; what went unfinished is the client's doing, not a dependency's.
            return (OAuthResult.Error(OAuthProtocolException.InvalidRequest("The request was abandoned.")), LogLevel.Debug, "the client went away", null);
        }
        catch (MalformedRowException e)
        {
            var refusal = e.Table == TableNames.Clients
                ? OAuthProtocolException.InvalidClient("the client's registration row is malformed", challengeBasic: false)
                : OAuthProtocolException.InvalidGrant(UnusableGrant);
            return (OAuthResult.Error(refusal), LogLevel.Warning, e.Message, null);
        }
        catch (Exception e) when (FaultClassifier.IsTransient(e))
        {
            return (OAuthResult.TemporarilyUnavailable(FaultClassifier.RetryAfter(e)), LogLevel.Warning,
                $"a dependency failed transiently ({e.GetType().Name}: {e.Message}); answered 503 with Retry-After", null);
        }
        catch (Exception e)
        {
            return (OAuthResult.ServerError(), LogLevel.Error, "the request failed; answered server_error", e);
        }
    }

    private static string OutcomeOf(OAuthResult result, RequestRecord record) =>
        result.ErrorCode ?? record.Outcome;

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Source} failed client authentication {Limit} times within {WindowSeconds} s; its requests are answered 429 until the window ends.")]
    private static partial void LogThrottled(ILogger logger, IPAddress source, int limit, double windowSeconds);

    [LoggerMessage(Message = "{Endpoint} {GrantType} client {ClientId}: {Outcome} ({Status}) in {ElapsedMs:0.0} ms from {Source}. {Detail}")]
    private static partial void LogRequest(ILogger logger, LogLevel level, Exception? exception, string endpoint, string grantType, string clientId, string outcome, int status, double elapsedMs, IPAddress source, string detail);
}
