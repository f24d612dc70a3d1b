namespace TokenFunction.Settings;

/// <summary>
/// DPoP proofs at the token endpoint (RFC 9449): bound from the <c>Dpop</c> section (<c>Dpop__*</c> settings).
/// </summary>
public sealed class DpopOptions
{
    public const string SectionName = "Dpop";

    /// <summary>The asymmetric algorithms a proof may be signed with; also <c>dpop_signing_alg_values_supported</c>.</summary>
    public static IReadOnlyList<string> SupportedAlgorithms { get; } = ["ES256", "ES384", "ES512", "PS256", "PS384", "PS512", "RS256", "RS384", "RS512"];

    /// <summary>Comma-separated JWS algorithms accepted for proofs, from <see cref="SupportedAlgorithms"/>.</summary>
    public string SigningAlgorithms { get; set; } = "ES256,PS256,RS256";

    /// <summary>How old a proof's <c>iat</c> may be; also how long its <c>jti</c> is remembered.</summary>
    public int ProofMaxAgeSeconds { get; set; } = 60;

    /// <summary>How far a proof's <c>iat</c> may lie ahead of the server's clock (the client's clock may run fast).</summary>
    public int ClockSkewSeconds { get; set; } = 5;

    /// <summary>RFC 9449 section 8: every proof must carry a nonce the server issued recently. Off by default.</summary>
    public bool RequireNonce { get; set; }

    /// <summary>
    /// The key the nonces are authenticated with: base64 of at least 32 random bytes, the same on every instance, so
    /// any instance accepts another's nonce with no shared state. Required with <see cref="RequireNonce"/>.
    /// </summary>
    public string? NonceKey { get; set; }

    /// <summary>The algorithms listed in <see cref="SigningAlgorithms"/>, trimmed, without empty entries.</summary>
    public IReadOnlyList<string> Algorithms() =>
        (SigningAlgorithms ?? string.Empty).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
}
