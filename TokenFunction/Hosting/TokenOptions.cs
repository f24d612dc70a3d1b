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
}
