using System.Security.Cryptography;
using TokenFunction.Protocol;

namespace TokenFunction.Clients.Assertions;

/// <summary>One public key of a client's JWKS that can verify an assertion, with the JWK members that restrict it.</summary>
public sealed class ClientVerificationKey
{
    private readonly RSAParameters? _rsa;
    private readonly ECParameters? _ec;

    private ClientVerificationKey(string? keyId, string? algorithm, RSAParameters? rsa, ECParameters? ec)
    {
        KeyId = keyId;
        Algorithm = algorithm;
        _rsa = rsa;
        _ec = ec;
    }

    public string? KeyId { get; }

    /// <summary>The JWK's <c>alg</c>: when present the key verifies that algorithm only.</summary>
    public string? Algorithm { get; }

    public static ClientVerificationKey Rsa(string? keyId, string? algorithm, RSAParameters parameters) => new(keyId, algorithm, parameters, null);

    public static ClientVerificationKey EcP256(string? keyId, string? algorithm, ECParameters parameters) => new(keyId, algorithm, null, parameters);

    /// <summary>Whether this key may verify a signature made with <paramref name="algorithm"/>.</summary>
    public bool Fits(string algorithm) =>
        (Algorithm is null || string.Equals(Algorithm, algorithm, StringComparison.Ordinal))
        && algorithm switch
        {
            JwsAlgorithms.RS256 or JwsAlgorithms.PS256 => _rsa is not null,
            JwsAlgorithms.ES256 => _ec is not null,
            _ => false,
        };

    /// <summary>Verifies a JWS signature; false for a wrong signature, a wrong algorithm or a key of another type.</summary>
    public bool Verify(string algorithm, ReadOnlySpan<byte> signingInput, ReadOnlySpan<byte> signature)
    {
        if (!Fits(algorithm))
        {
            return false;
        }

        if (_ec is { } ecParameters)
        {
            // JWS ES256 signatures are the fixed 64-byte r || s (RFC 7518 section 3.4), .NET's default format.
            if (signature.Length != 64)
            {
                return false;
            }

            // Both forms of an ECDSA signature, (r, s) and (r, n - s), verify: .NET's verifier accepts high S and so do
            // we, deliberately. Replay protection is keyed on the assertion's jti (ClientAssertionReplayStore), not on
            // the signature bytes, so a malleated copy of a used assertion is refused as a replay and gains nothing.
            using var ecdsa = ECDsa.Create(ecParameters);
            return ecdsa.VerifyData(signingInput, signature, HashAlgorithmName.SHA256);
        }

        using var key = RSA.Create(_rsa!.Value);
        var padding = algorithm == JwsAlgorithms.PS256 ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1;
        return key.VerifyData(signingInput, signature, HashAlgorithmName.SHA256, padding);
    }

    public override string ToString() => $"ClientVerificationKey {{ KeyId = {KeyId}, Type = {(_ec is null ? "RSA" : "EC P-256")} }}";
}
