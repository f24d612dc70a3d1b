namespace TokenFunction.Protocol;

/// <summary>
/// RFC 7638 JWK SHA-256 thumbprints of public keys: the required members only, in lexicographic order, no white
/// space (section 3.2), hashed and base64url encoded. Members are base64url strings, so nothing needs escaping.
/// </summary>
public static class JwkThumbprints
{
    public static string OfRsa(string modulus, string exponent) =>
        Base64UrlSha256.Of($"{{\"e\":\"{exponent}\",\"kty\":\"RSA\",\"n\":\"{modulus}\"}}");

    public static string OfEc(string curve, string x, string y) =>
        Base64UrlSha256.Of($"{{\"crv\":\"{curve}\",\"kty\":\"EC\",\"x\":\"{x}\",\"y\":\"{y}\"}}");
}
