using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Primitives;

namespace TokenFunction.Protocol;

/// <summary>
/// Checks the <c>DPoP</c> header of a token request as RFC 9449 section 4.3 lists it, with the platform's crypto: one
/// header holding one compact JWS; <c>typ</c> <c>dpop+jwt</c>; an asymmetric <c>alg</c> from the configured list; a
/// public <c>jwk</c> (no private member) of the kind and curve the alg needs, that verifies the signature; <c>htm</c>
/// POST and <c>htu</c> this endpoint, ignoring query and fragment; <c>iat</c> within the window; a <c>jti</c>. An
/// <c>ath</c> is ignored here (it binds proofs to access tokens at resource servers). Replay of the <c>jti</c> and the
/// nonce are the caller's: they need storage and keys. Every failure is <c>invalid_dpop_proof</c>.
/// </summary>
public static class DpopProofValidator
{
    public const string HeaderName = "DPoP";
    public const string ProofType = "dpop+jwt";

    /// <summary>An RSA-4096 proof is about 1.5 KB; anything much longer is not a proof.</summary>
    public const int MaxLength = 8192;

    public const int MaxJwtIdLength = 256;
    public const int MinRsaModulusBits = 2048;

    /// <summary>9999-12-31T23:59:59Z, the last instant <see cref="DateTimeOffset"/> holds.</summary>
    private const double MaxUnixSeconds = 253_402_300_799;

    private static readonly string[] s_privateMembers = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];
    private static readonly JsonDocumentOptions s_jsonOptions = new() { MaxDepth = 8 };

    /// <summary>The proof of the request; null when it has none.</summary>
    /// <exception cref="OAuthProtocolException"><c>invalid_dpop_proof</c>: the header is there but is not a valid proof.</exception>
    public static DpopProof? Read(StringValues header, DpopProofRules rules, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(rules);
        if (header.Count == 0)
        {
            return null;
        }

        // Section 4.3 check 1: exactly one header field (a comma means several folded into one line).
        if (header.Count > 1 || header[0] is not { } compact || compact.Contains(',', StringComparison.Ordinal))
        {
            throw Invalid("Send exactly one DPoP header.");
        }

        if (compact.Length is 0 or > MaxLength)
        {
            throw Invalid("The DPoP header is empty or too long to be a proof.");
        }

        var parts = compact.Split('.');
        if (parts.Length != 3)
        {
            throw Invalid("The DPoP proof is not a compact JWS (three base64url parts).");
        }

        using var headerJson = ParseJson(parts[0], "header");
        using var claimsJson = ParseJson(parts[1], "payload");
        var head = headerJson.RootElement;
        var claims = claimsJson.RootElement;

        if (StringMember(head, "typ") != ProofType)
        {
            throw Invalid($"The DPoP proof's typ must be {ProofType}.");
        }

        var algorithm = StringMember(head, "alg");
        if (algorithm is null || !rules.Algorithms.Contains(algorithm, StringComparer.Ordinal))
        {
            throw Invalid($"The DPoP proof's alg must be one of {string.Join(", ", rules.Algorithms)}.");
        }

        if (!head.TryGetProperty("jwk", out var jwk) || jwk.ValueKind != JsonValueKind.Object)
        {
            throw Invalid("The DPoP proof's header has no jwk object.");
        }

        if (s_privateMembers.FirstOrDefault(m => jwk.TryGetProperty(m, out _)) is { } privateMember)
        {
            throw Invalid($"The DPoP proof's jwk holds the private member {privateMember}; send the public key only.");
        }

        var signingInput = Encoding.ASCII.GetBytes(string.Concat(parts[0], ".", parts[1]));
        var signature = Decode(parts[2], "signature");
        var thumbprint = VerifySignature(algorithm, jwk, signingInput, signature);

        if (StringMember(claims, "htm") != "POST")
        {
            throw Invalid("The DPoP proof's htm must be POST.");
        }

        if (!SameTarget(StringMember(claims, "htu"), rules.TargetUri))
        {
            throw Invalid($"The DPoP proof's htu must be this token endpoint, {rules.TargetUri.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped)}.");
        }

        if (!claims.TryGetProperty("iat", out var iatElement) || iatElement.ValueKind != JsonValueKind.Number || !iatElement.TryGetDouble(out var iatSeconds)
            || !(iatSeconds is >= 0 and <= MaxUnixSeconds))
        {
            throw Invalid("The DPoP proof has no numeric iat.");
        }

        var issuedAt = DateTimeOffset.FromUnixTimeSeconds((long)Math.Floor(iatSeconds));
        if (issuedAt < now - rules.MaxAge)
        {
            throw Invalid($"The DPoP proof's iat is more than {(int)rules.MaxAge.TotalSeconds} seconds old; make a new proof for each request.");
        }

        if (issuedAt > now + rules.ClockSkew)
        {
            throw Invalid("The DPoP proof's iat is in the future.");
        }

        var jwtId = StringMember(claims, "jti");
        if (string.IsNullOrEmpty(jwtId) || jwtId.Length > MaxJwtIdLength)
        {
            throw Invalid($"The DPoP proof needs a jti of 1 to {MaxJwtIdLength} characters.");
        }

        var nonce = claims.TryGetProperty("nonce", out var nonceElement)
            ? nonceElement.ValueKind == JsonValueKind.String ? nonceElement.GetString() : throw Invalid("The DPoP proof's nonce must be a string.")
            : null;
        return new DpopProof(thumbprint, jwtId, issuedAt, nonce);
    }

    /// <summary>Section 4.3 check 9: scheme, host, port and path equal (normalised by <see cref="Uri"/>); query and fragment ignored.</summary>
    private static bool SameTarget(string? htu, Uri target) =>
        htu is not null
        && Uri.TryCreate(htu, UriKind.Absolute, out var presented)
        && (presented.Scheme == Uri.UriSchemeHttps || presented.Scheme == Uri.UriSchemeHttp)
        && string.Equals(
            presented.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped),
            target.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped),
            StringComparison.Ordinal);

    /// <summary>Verifies the signature with the header's key and returns the key's RFC 7638 thumbprint.</summary>
    private static string VerifySignature(string algorithm, JsonElement jwk, byte[] signingInput, byte[] signature)
    {
        var hash = algorithm[2..] switch
        {
            "256" => HashAlgorithmName.SHA256,
            "384" => HashAlgorithmName.SHA384,
            _ => HashAlgorithmName.SHA512,
        };
        var keyType = StringMember(jwk, "kty");
        bool verified;
        string thumbprint;
        try
        {
            if (algorithm.StartsWith("ES", StringComparison.Ordinal))
            {
                var (curveName, curve, size) = algorithm switch
                {
                    "ES256" => ("P-256", ECCurve.NamedCurves.nistP256, 32),
                    "ES384" => ("P-384", ECCurve.NamedCurves.nistP384, 48),
                    _ => ("P-521", ECCurve.NamedCurves.nistP521, 66),
                };
                if (keyType != "EC" || StringMember(jwk, "crv") != curveName)
                {
                    throw Invalid($"The DPoP proof's jwk must be an EC key on {curveName} for {algorithm}.");
                }

                var x = StringMember(jwk, "x");
                var y = StringMember(jwk, "y");
                var xBytes = x is null ? [] : Decode(x, "jwk x");
                var yBytes = y is null ? [] : Decode(y, "jwk y");
                if (xBytes.Length != size || yBytes.Length != size)
                {
                    throw Invalid($"The DPoP proof's jwk x and y must be {size} bytes each.");
                }

                using var ecdsa = ECDsa.Create(new ECParameters { Curve = curve, Q = new ECPoint { X = xBytes, Y = yBytes } });
                verified = signature.Length == 2 * size && ecdsa.VerifyData(signingInput, signature, hash, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
                thumbprint = JwkThumbprints.OfEc(curveName, x!, y!);
            }
            else
            {
                var n = StringMember(jwk, "n");
                var e = StringMember(jwk, "e");
                if (keyType != "RSA" || n is null || e is null)
                {
                    throw Invalid($"The DPoP proof's jwk must be an RSA key (n, e) for {algorithm}.");
                }

                var modulus = Decode(n, "jwk n");
                var exponent = Decode(e, "jwk e");
                if ((modulus.Length - modulus.TakeWhile(b => b == 0).Count()) * 8 < MinRsaModulusBits || exponent.Length is 0 or > 8)
                {
                    throw Invalid($"The DPoP proof's RSA key must have a modulus of at least {MinRsaModulusBits} bits and an exponent of at most 8 bytes.");
                }

                using var rsa = RSA.Create();
                rsa.ImportParameters(new RSAParameters { Modulus = modulus, Exponent = exponent });
                var padding = algorithm.StartsWith("PS", StringComparison.Ordinal) ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1;
                verified = rsa.VerifyData(signingInput, signature, hash, padding);
                thumbprint = JwkThumbprints.OfRsa(n, e);
            }
        }
        catch (CryptographicException)
        {
            throw Invalid("The DPoP proof's jwk is not a usable public key.");
        }

        return verified ? thumbprint : throw Invalid("The DPoP proof's signature does not verify with its jwk.");
    }

    private static JsonDocument ParseJson(string part, string what)
    {
        try
        {
            var document = JsonDocument.Parse(Decode(part, what), s_jsonOptions);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                return document;
            }

            document.Dispose();
        }
        catch (JsonException)
        {
        }

        throw Invalid($"The DPoP proof's {what} is not a JSON object.");
    }

    private static byte[] Decode(string base64Url, string what)
    {
        try
        {
            return Base64Url.DecodeFromChars(base64Url);
        }
        catch (FormatException)
        {
            throw Invalid($"The DPoP proof's {what} is not base64url.");
        }
    }

    private static string? StringMember(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static OAuthProtocolException Invalid(string description) => new(OAuthErrorCodes.InvalidDpopProof, description);
}
