using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;

namespace TokenFunction.Tests.Unit.Clients.Jwks;

/// <summary>JWKS documents for tests, written by hand from freshly generated keys.</summary>
internal static class TestJwks
{
    public static string Set(params string[] keys) => "{\"keys\":[" + string.Join(',', keys) + "]}";

    public static string Rsa(string kid, int bits = 2048, string? alg = null, string? use = null, bool withPrivateExponent = false)
    {
        using var rsa = RSA.Create(bits);
        RSAParameters parameters = rsa.ExportParameters(includePrivateParameters: withPrivateExponent);
        var jwk = new Dictionary<string, string> { ["kty"] = "RSA", ["kid"] = kid, ["n"] = B64(parameters.Modulus!), ["e"] = B64(parameters.Exponent!) };
        if (withPrivateExponent)
        {
            jwk["d"] = B64(parameters.D!);
        }

        return Serialize(jwk, alg, use);
    }

    public static string Ec(string kid, ECCurve curve, string crv, string? alg = null, string? use = null)
    {
        using var ecdsa = ECDsa.Create(curve);
        ECParameters parameters = ecdsa.ExportParameters(includePrivateParameters: false);
        var jwk = new Dictionary<string, string> { ["kty"] = "EC", ["kid"] = kid, ["crv"] = crv, ["x"] = B64(parameters.Q.X!), ["y"] = B64(parameters.Q.Y!) };
        return Serialize(jwk, alg, use);
    }

    public static string EcP256(string kid, string? alg = null, string? use = null) => Ec(kid, ECCurve.NamedCurves.nistP256, "P-256", alg, use);

    private static string Serialize(Dictionary<string, string> jwk, string? alg, string? use)
    {
        if (alg is not null)
        {
            jwk["alg"] = alg;
        }

        if (use is not null)
        {
            jwk["use"] = use;
        }

        return JsonSerializer.Serialize(jwk);
    }

    private static string B64(byte[] bytes) => Base64Url.EncodeToString(bytes);
}
