using System.Net;

namespace TokenFunction.Protocol;

/// <summary>A request the protocol refuses: it becomes an RFC 6749 error response, never a 500.</summary>
public sealed class OAuthProtocolException : Exception
{
    /// <summary>
    /// The one description of every failed client authentication: which check failed (unknown client, wrong secret, a
    /// secret from a public client, the wrong method, a bad assertion) goes to the log only, so the answer tells an
    /// attacker nothing about which clients exist or how they authenticate.
    /// </summary>
    public const string ClientAuthenticationFailed = "Client authentication failed.";

    public OAuthProtocolException(string error, string description, int statusCode = (int)HttpStatusCode.BadRequest)
        : base(description)
    {
        Error = error;
        StatusCode = statusCode;
    }

    public string Error { get; }

    public int StatusCode { get; }

    /// <summary>Set when the client tried HTTP Basic: the 401 then carries a Basic challenge (RFC 6749 section 5.2).</summary>
    public bool ChallengeBasic { get; init; }

    /// <summary>A fresh server nonce for the <c>DPoP-Nonce</c> header (RFC 9449 section 8); null when none is sent.</summary>
    public string? DpopNonce { get; init; }

    /// <summary>What the operator's log says beyond the description the client sees; null when that says it all.</summary>
    public string? LogDetail { get; init; }

    public static OAuthProtocolException InvalidRequest(string description) => new(OAuthErrorCodes.InvalidRequest, description);

    public static OAuthProtocolException InvalidGrant(string description) => new(OAuthErrorCodes.InvalidGrant, description);

    /// <param name="reason">Why authentication failed: logged, never sent (see <see cref="ClientAuthenticationFailed"/>).</param>
    public static OAuthProtocolException InvalidClient(string reason, bool challengeBasic) =>
        new(OAuthErrorCodes.InvalidClient, ClientAuthenticationFailed, (int)HttpStatusCode.Unauthorized) { ChallengeBasic = challengeBasic, LogDetail = reason };
}
