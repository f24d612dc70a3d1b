using Microsoft.AspNetCore.Http;

namespace TokenFunction.Protocol;

/// <summary>A request the protocol refuses: it becomes an RFC 6749 error response, never a 500.</summary>
public sealed class OAuthProtocolException : Exception
{
    public OAuthProtocolException(string error, string description, int statusCode = StatusCodes.Status400BadRequest)
        : base(description)
    {
        Error = error;
        StatusCode = statusCode;
    }

    public string Error { get; }

    public int StatusCode { get; }

    /// <summary>Set when the client tried HTTP Basic: the 401 then carries a Basic challenge (RFC 6749 section 5.2).</summary>
    public bool ChallengeBasic { get; init; }

    public static OAuthProtocolException InvalidRequest(string description) => new(OAuthErrorCodes.InvalidRequest, description);

    public static OAuthProtocolException InvalidGrant(string description) => new(OAuthErrorCodes.InvalidGrant, description);

    public static OAuthProtocolException InvalidClient(string description, bool challengeBasic) =>
        new(OAuthErrorCodes.InvalidClient, description, StatusCodes.Status401Unauthorized) { ChallengeBasic = challengeBasic };
}
