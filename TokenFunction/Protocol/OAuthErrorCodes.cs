namespace TokenFunction.Protocol;

/// <summary>The token endpoint's error codes (RFC 6749 section 5.2, plus the two section 4.1.2.1 codes used for faults).</summary>
public static class OAuthErrorCodes
{
    public const string InvalidRequest = "invalid_request";
    public const string InvalidClient = "invalid_client";
    public const string InvalidGrant = "invalid_grant";
    public const string UnauthorizedClient = "unauthorized_client";
    public const string UnsupportedGrantType = "unsupported_grant_type";
    public const string InvalidScope = "invalid_scope";

    /// <summary>RFC 8707 section 2: a resource that is malformed or not registered for the client.</summary>
    public const string InvalidTarget = "invalid_target";
    /// <summary>RFC 9449 section 5: the DPoP proof is missing where required, malformed, or fails a check.</summary>
    public const string InvalidDpopProof = "invalid_dpop_proof";

    /// <summary>RFC 9449 section 8: the proof must carry the nonce in the response's <c>DPoP-Nonce</c> header.</summary>
    public const string UseDpopNonce = "use_dpop_nonce";
    public const string ServerError = "server_error";
    public const string TemporarilyUnavailable = "temporarily_unavailable";
}
