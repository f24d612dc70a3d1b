namespace TokenFunction.Protocol;

/// <summary>
/// The JWS algorithms a client assertion may use (RFC 7518 names). Asymmetric only: <c>none</c> proves nothing, and
/// an HMAC keyed with a public key would let anyone who read the client's JWKS sign as the client.
/// </summary>
public static class JwsAlgorithms
{
    public const string RS256 = "RS256";
    public const string PS256 = "PS256";
    public const string ES256 = "ES256";

    public static IReadOnlyList<string> Supported { get; } = [RS256, PS256, ES256];

    public static bool IsSupported(string? algorithm) => algorithm is not null && Supported.Contains(algorithm, StringComparer.Ordinal);
}
