namespace TokenFunction.Protocol;

/// <summary>
/// A DPoP proof (RFC 9449 section 4) that passed every check of <see cref="DpopProofValidator"/>: the thumbprint of its
/// key (RFC 7638, what <c>cnf.jkt</c> carries), its <c>jti</c>, <c>iat</c> and <c>nonce</c>. Never the proof itself.
/// </summary>
public sealed record DpopProof(string Thumbprint, string JwtId, DateTimeOffset IssuedAt, string? Nonce)
{
    public override string ToString() => $"DpopProof {{ Thumbprint = {Thumbprint} }}";
}

/// <summary>What a proof is checked against: the algorithms accepted, this endpoint's URL and the <c>iat</c> window.</summary>
public sealed record DpopProofRules(IReadOnlyList<string> Algorithms, Uri TargetUri, TimeSpan MaxAge, TimeSpan ClockSkew);
