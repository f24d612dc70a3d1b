using TokenFunction.Telemetry;

namespace TokenFunction.Endpoints;

/// <summary>
/// What an endpoint learns about a request as it handles it, for the one log entry the request writes: the grant type,
/// the client it named, and how it ended. Written by one request's handler only.
/// </summary>
public sealed class RequestRecord
{
    /// <summary>The <c>grant_type</c> (token endpoint); null elsewhere or before it was read.</summary>
    public string? GrantType { get; set; }

    /// <summary>
    /// The grant type for metrics and spans: one the service serves, <see cref="TelemetryNames.Value.Other"/> for any
    /// other value (the client's, unbounded), <see cref="TelemetryNames.Value.None"/> when there is none.
    /// </summary>
    public string TelemetryGrantType { get; set; } = TelemetryNames.Value.None;

    /// <summary>The client id the request presented (authenticated or not: the outcome tells).</summary>
    public string? ClientId { get; set; }

    /// <summary>What a successful request did, e.g. "issued"; an error code when it was refused.</summary>
    public string Outcome { get; set; } = "ok";
}
