namespace TokenFunction.Telemetry;

/// <summary>Why a grant was revoked: the <c>reason</c> of <c>oauth.grants.revoked</c> and of the GrantRevoked audit event.</summary>
public static class RevocationReason
{
    /// <summary>An authorization code redeemed a second time outside the lost-answer retry window.</summary>
    public const string CodeReplay = "code_replay";

    /// <summary>A retired refresh token presented again outside the reuse grace window (RFC 9700).</summary>
    public const string RefreshReuse = "refresh_reuse";

    /// <summary>The client revoked a refresh token (RFC 7009).</summary>
    public const string RevocationEndpoint = "revocation_endpoint";

    /// <summary><c>tokenctl grant revoke</c> or <c>tokenctl client remove</c>.</summary>
    public const string Operator = "operator";
}
