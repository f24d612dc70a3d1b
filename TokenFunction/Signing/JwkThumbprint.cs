using TokenFunction.Protocol;

namespace TokenFunction.Signing;

/// <summary>RFC 7638 JWK thumbprints: a key id that anyone holding the public key can recompute.</summary>
public static class JwkThumbprint
{
    public static string Compute(PublicJsonWebKey key)
    {
        // The required members only, in lexicographic order, with no white space (RFC 7638 section 3.2).
        var canonical = key.KeyType switch
        {
            "RSA" => $"{{\"e\":\"{key.Exponent}\",\"kty\":\"RSA\",\"n\":\"{key.Modulus}\"}}",
            "EC" => $"{{\"crv\":\"{key.Curve}\",\"kty\":\"EC\",\"x\":\"{key.X}\",\"y\":\"{key.Y}\"}}",
            _ => throw new NotSupportedException($"Key type {key.KeyType} has no thumbprint here."),
        };
        return Base64UrlSha256.Of(canonical);
    }
}
