namespace TokenFunction.Hosting;

/// <summary>What the issued access tokens say: bound from the <c>Token</c> section (<c>Token__*</c> settings).</summary>
public sealed class TokenOptions
{
    public const string SectionName = "Token";

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
}
