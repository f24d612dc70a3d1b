using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using TokenFunction.Protocol;

namespace TokenFunction.Clients.Assertions;

/// <summary>
/// A client's registered JWKS (RFC 7517), reduced to the keys that can verify its assertions: RSA of at least
/// 2048 bits and EC P-256, with <c>use</c> absent or <c>sig</c>. Keys of other types are skipped, since a JWKS may
/// also hold encryption keys; a set that holds private or symmetric key material is refused whole, because its
/// owner has leaked what only the client may hold.
/// </summary>
public sealed class ClientJsonWebKeySet
{
    /// <summary>Bounds what one registration can make every request iterate over.</summary>
    public const int MaxKeys = 32;
    public const int MinRsaKeyBits = 2048;
    public const int MaxRsaKeyBits = 8192;

    private static readonly string[] s_privateMembers = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

    private ClientJsonWebKeySet(IReadOnlyList<ClientVerificationKey> keys) => Keys = keys;

    public IReadOnlyList<ClientVerificationKey> Keys { get; }

    /// <summary>Parses a JWKS document; the error says what is wrong in words an operator can act on.</summary>
    public static bool TryParse(string json, out ClientJsonWebKeySet? keySet, out string? error)
    {
        keySet = null;
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 8 });
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("keys", out var keys)
                || keys.ValueKind != JsonValueKind.Array)
            {
                error = "a JWKS is a JSON object with a 'keys' array";
                return false;
            }

            if (keys.GetArrayLength() > MaxKeys)
            {
                error = $"the JWKS has more than {MaxKeys} keys";
                return false;
            }

            var usable = new List<ClientVerificationKey>();
            foreach (var jwk in keys.EnumerateArray())
            {
                if (jwk.ValueKind != JsonValueKind.Object)
                {
                    error = "every member of 'keys' must be a JSON object";
                    return false;
                }

                if (s_privateMembers.FirstOrDefault(m => jwk.TryGetProperty(m, out _)) is { } member)
                {
                    error = $"a key has the private or symmetric member '{member}'; register public keys only";
                    return false;
                }

                if (!TryReadKey(jwk, out var key, out error))
                {
                    return false;
                }

                if (key is not null)
                {
                    usable.Add(key);
                }
            }

            if (usable.Count == 0)
            {
                error = $"the JWKS has no signing key for {string.Join(", ", JwsAlgorithms.Supported)} (RSA of at least {MinRsaKeyBits} bits or EC P-256, use 'sig')";
                return false;
            }

            keySet = new ClientJsonWebKeySet(usable);
            error = null;
            return true;
        }
        catch (JsonException)
        {
            error = "the JWKS is not valid JSON";
            return false;
        }
    }

    /// <summary>Reads one JWK; a null key without error means "not for us" (another type or use), which is skipped.</summary>
    private static bool TryReadKey(JsonElement jwk, out ClientVerificationKey? key, out string? error)
    {
        key = null;
        error = null;
        var kty = OptionalString(jwk, "kty");
        var use = OptionalString(jwk, "use");
        var alg = OptionalString(jwk, "alg");
        var kid = OptionalString(jwk, "kid");
        if (use is not null && use != "sig")
        {
            return true;
        }

        if (jwk.TryGetProperty("key_ops", out var ops)
            && (ops.ValueKind != JsonValueKind.Array || !ops.EnumerateArray().Any(o => o.ValueKind == JsonValueKind.String && o.GetString() == "verify")))
        {
            return true;
        }

        if (alg is not null && !JwsAlgorithms.IsSupported(alg))
        {
            return true;
        }

        switch (kty)
        {
            case "RSA":
                var modulus = Base64UrlMember(jwk, "n");
                var exponent = Base64UrlMember(jwk, "e");
                if (modulus is null || exponent is null || modulus.Length == 0 || exponent.Length == 0)
                {
                    error = $"RSA key {Describe(kid)} needs base64url 'n' and 'e'";
                    return false;
                }

                var bits = (modulus.Length - modulus.TakeWhile(b => b == 0).Count()) * 8;
                if (bits < MinRsaKeyBits || bits > MaxRsaKeyBits)
                {
                    error = $"RSA key {Describe(kid)} must have {MinRsaKeyBits} to {MaxRsaKeyBits} bits";
                    return false;
                }

                if (alg == JwsAlgorithms.ES256)
                {
                    error = $"RSA key {Describe(kid)} says 'alg': 'ES256'";
                    return false;
                }

                var rsaParameters = new RSAParameters { Modulus = modulus, Exponent = exponent };
                if (!Imports(() => { using var rsa = RSA.Create(rsaParameters); }))
                {
                    error = $"RSA key {Describe(kid)} is not a valid public key";
                    return false;
                }

                key = ClientVerificationKey.Rsa(kid, alg, rsaParameters);
                return true;
            case "EC":
                if (OptionalString(jwk, "crv") != "P-256")
                {
                    return true;
                }

                var x = Base64UrlMember(jwk, "x");
                var y = Base64UrlMember(jwk, "y");
                if (x is not { Length: 32 } || y is not { Length: 32 })
                {
                    error = $"EC P-256 key {Describe(kid)} needs base64url 'x' and 'y' of 32 bytes each";
                    return false;
                }

                if (alg is not null && alg != JwsAlgorithms.ES256)
                {
                    error = $"EC P-256 key {Describe(kid)} says 'alg': '{alg}'";
                    return false;
                }

                var ecParameters = new ECParameters { Curve = ECCurve.NamedCurves.nistP256, Q = new ECPoint { X = x, Y = y } };
                // Importing validates that the point lies on the curve.
                if (!Imports(() => { using var ecdsa = ECDsa.Create(ecParameters); }))
                {
                    error = $"EC P-256 key {Describe(kid)} is not a point on the curve";
                    return false;
                }

                key = ClientVerificationKey.EcP256(kid, alg, ecParameters);
                return true;
            default:
                return true;
        }
    }

    private static bool Imports(Action create)
    {
        try
        {
            create();
            return true;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    private static string? OptionalString(JsonElement jwk, string name) =>
        jwk.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static byte[]? Base64UrlMember(JsonElement jwk, string name) =>
        OptionalString(jwk, name) is { } text && Base64Url.IsValid(text) ? Base64Url.DecodeFromChars(text) : null;

    private static string Describe(string? kid) => kid is null ? "(no kid)" : $"'{kid}'";
}
