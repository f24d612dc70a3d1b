namespace TokenFunction.Settings;

/// <summary>What the issued access tokens say: bound from the <c>Token</c> section (<c>Token__*</c> settings).</summary>
public sealed class TokenOptions
{
    public const string SectionName = "Token";

    /// <summary>The bounds of a refresh token lifetime, in the settings and in a client's registration alike.</summary>
    public const int MinRefreshLifetimeSeconds = 60;

    public const int MaxRefreshLifetimeSeconds = 31_536_000;

    /// <summary>The <c>iss</c> claim and the identifier clients and resource servers trust.</summary>
    public string? Issuer { get; set; }

    /// <summary>The default <c>aud</c> claim: the resource server the tokens are for.</summary>
    public string? Audience { get; set; }

    public int AccessTokenLifetimeSeconds { get; set; } = 600;

    /// <summary>
    /// Where the authorize step (which runs elsewhere) lives; published as <c>authorization_endpoint</c> in the
    /// metadata document when set.
    /// </summary>
    public Uri? AuthorizationEndpoint { get; set; }

    /// <summary>Sliding idle lifetime of a refresh token: each rotation issues a successor good for this long.</summary>
    public int RefreshTokenIdleLifetimeSeconds { get; set; } = 1_209_600;

    /// <summary>Absolute lifetime of a grant's refresh tokens, counted from the code exchange; rotation never extends it.</summary>
    public int RefreshTokenAbsoluteLifetimeSeconds { get; set; } = 7_776_000;

    /// <summary>How long a just-rotated refresh token still answers with the same successor (a client that lost the response).</summary>
    public int RefreshReuseGraceSeconds { get; set; } = 30;

    /// <summary>
    /// How long after a code exchange the same client may present the same code with the same verifier again and get a
    /// working token set with the same refresh token (it lost the answer); 0 turns this off. Any other replay revokes.
    /// </summary>
    public int CodeRetryGraceSeconds { get; set; } = 30;

    /// <summary>
    /// The time all storage work of one token or revocation request may take, retries included; past it the request
    /// answers 503. Kept well under the retry windows (<see cref="CodeRetryGraceSeconds"/>,
    /// <see cref="RefreshReuseGraceSeconds"/>), so that a client retrying after a 503 whose write committed late still
    /// meets its own earlier success rather than a replay.
    /// </summary>
    public int StorageBudgetSeconds { get; set; } = 8;
}
