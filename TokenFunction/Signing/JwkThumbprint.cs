using TokenFunction.Protocol;

namespace TokenFunction.Signing;

/// <summary>RFC 7638 JWK thumbprints: a key id that anyone holding the public key can recompute.</summary>
public static class JwkThumbprint
{
    public static string Compute(PublicJsonWebKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.KeyType switch
        {
            "RSA" => JwkThumbprints.OfRsa(key.Modulus!, key.Exponent!),
            "EC" => JwkThumbprints.OfEc(key.Curve!, key.X!, key.Y!),
            _ => throw new NotSupportedException($"Key type {key.KeyType} has no thumbprint here."),
        };
    }
}
