using System.Diagnostics;

namespace TokenFunction.Telemetry;

/// <summary>
/// The service's ActivitySource, and the OAuth outcome on the request's server span (the host's: ASP.NET Core's on the
/// local host, the Functions worker's in Azure), so a request's span says which grant, which client and which refusal.
/// </summary>
public static class TokenActivity
{
    public static ActivitySource Source { get; } = new(TelemetryNames.Source);

    /// <summary>Tags the current span (the server span: the endpoints start none of their own); nothing without a listener.</summary>
    public static void TagRequest(string grantType, string? clientId, string? error)
    {
        if (Activity.Current is not { IsAllDataRequested: true } span)
        {
            return;
        }

        span.SetTag(TelemetryNames.Span.GrantType, grantType);
        if (clientId is not null)
        {
            span.SetTag(TelemetryNames.Span.ClientId, clientId);
        }

        if (error is not null)
        {
            span.SetTag(TelemetryNames.Span.Error, error);
        }
    }
}
