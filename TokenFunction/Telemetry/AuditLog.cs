using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TokenFunction.Protocol;

namespace TokenFunction.Telemetry;

/// <summary>
/// The audit events (docs/operations.md, "Audit events"): structured entries of category
/// <see cref="TelemetryNames.AuditCategory"/> with stable ids 5001-5007, which the audit workspace keeps whatever the
/// operational workspace's cap. They name the client, the grant's short id and the subject's hash: never the subject
/// in clear, and never a code, token, verifier or assertion (none is ever passed in).
/// </summary>
public sealed partial class AuditLog(ILoggerFactory loggers)
{
    /// <summary>Characters of the subject's hash kept: enough to find a user's events, too few to be a key to anything.</summary>
    public const int SubjectHashLength = 16;

    /// <summary>For code built without a host (unit tests, tools): the events go nowhere.</summary>
    public static AuditLog None { get; } = new(NullLoggerFactory.Instance);

    private readonly ILogger _logger = loggers.CreateLogger(TelemetryNames.AuditCategory);

    /// <summary>base64url SHA-256 of the subject, first <see cref="SubjectHashLength"/> characters.</summary>
    public static string SubjectHash(string subject) => Base64UrlSha256.Of(subject)[..SubjectHashLength];

    /// <summary>A user grant's token: <paramref name="grant"/> is the grant's short id (GrantKeys.ForLog).</summary>
    public void UserTokenIssued(string clientId, string grantType, string grant, string subject) =>
        LogTokenIssued(_logger, clientId, grantType, grant, SubjectHash(subject));

    /// <summary>A client's own token (client_credentials): no grant, no user.</summary>
    public void ClientTokenIssued(string clientId, string grantType) =>
        LogTokenIssued(_logger, clientId, grantType, null, null);

    public void CodeReplayDetected(string clientId, string grant, string subject) =>
        LogCodeReplayDetected(_logger, clientId, grant, SubjectHash(subject));

    public void RefreshReuseDetected(string clientId, string grant, string subject) =>
        LogRefreshReuseDetected(_logger, clientId, grant, SubjectHash(subject));

    /// <summary>The event and the <c>oauth.grants.revoked</c> count, together so that neither goes without the other.</summary>
    /// <param name="clientId">The grant's client.</param>
    /// <param name="reason">A <see cref="RevocationReason"/>.</param>
    /// <param name="by">The client whose request revoked it, or <see cref="TelemetryNames.Value.Operator"/>.</param>
    public void GrantRevoked(string clientId, string grant, string subject, string reason, string by)
    {
        TokenMetrics.GrantRevoked(reason);
        LogGrantRevoked(_logger, clientId, grant, SubjectHash(subject), reason, by);
    }

    public void ClientRegistered(string clientId, bool replaced) =>
        LogClientRegistered(_logger, clientId, TelemetryNames.Value.TokenCtl, replaced);

    public void ClientRemoved(string clientId, int grantsRevoked) =>
        LogClientRemoved(_logger, clientId, TelemetryNames.Value.TokenCtl, grantsRevoked);

    public void SigningKeyRotated(string keyId, string previousKeyId) =>
        LogSigningKeyRotated(_logger, keyId, previousKeyId);

    [LoggerMessage(EventId = 5001, EventName = "TokenIssued", Level = LogLevel.Information,
        Message = "Token issued to client {ClientId} ({GrantType}), grant {Grant}, subject {SubjectHash}.")]
    private static partial void LogTokenIssued(ILogger logger, string clientId, string grantType, string? grant, string? subjectHash);

    [LoggerMessage(EventId = 5002, EventName = "CodeReplayDetected", Level = LogLevel.Warning,
        Message = "Client {ClientId} replayed the authorization code of grant {Grant}, subject {SubjectHash}.")]
    private static partial void LogCodeReplayDetected(ILogger logger, string clientId, string grant, string subjectHash);

    [LoggerMessage(EventId = 5003, EventName = "RefreshReuseDetected", Level = LogLevel.Warning,
        Message = "Client {ClientId} reused a retired refresh token of grant {Grant}, subject {SubjectHash}.")]
    private static partial void LogRefreshReuseDetected(ILogger logger, string clientId, string grant, string subjectHash);

    [LoggerMessage(EventId = 5004, EventName = "GrantRevoked", Level = LogLevel.Information,
        Message = "Grant {Grant} of client {ClientId}, subject {SubjectHash}, revoked: {Reason}, by {By}.")]
    private static partial void LogGrantRevoked(ILogger logger, string clientId, string grant, string subjectHash, string reason, string by);

    [LoggerMessage(EventId = 5005, EventName = "ClientRegistered", Level = LogLevel.Information,
        Message = "Client {ClientId} registered by {By} (replaced: {Replaced}).")]
    private static partial void LogClientRegistered(ILogger logger, string clientId, string by, bool replaced);

    [LoggerMessage(EventId = 5006, EventName = "ClientRemoved", Level = LogLevel.Information,
        Message = "Client {ClientId} removed by {By}; {GrantsRevoked} of its grants revoked.")]
    private static partial void LogClientRemoved(ILogger logger, string clientId, string by, int grantsRevoked);

    [LoggerMessage(EventId = 5007, EventName = "SigningKeyRotated", Level = LogLevel.Information,
        Message = "Signing access tokens with key {KeyId}, no longer {PreviousKeyId}.")]
    private static partial void LogSigningKeyRotated(ILogger logger, string keyId, string previousKeyId);
}
