using System.Buffers.Text;
using System.Security.Cryptography;
using TokenFunction.Telemetry;

namespace TokenFunction.Signing;

/// <summary>A signing key held in this process (development): RSA gives RS256, EC P-256 ES256, P-384 ES384.</summary>
public sealed class LocalSigningKey : ISigningKey, IDisposable
{
    private readonly RSA? _rsa;
    private readonly ECDsa? _ecdsa;
    private readonly HashAlgorithmName _hash;

    private LocalSigningKey(RSA? rsa, ECDsa? ecdsa)
    {
        _rsa = rsa;
        _ecdsa = ecdsa;
        if (rsa is not null)
        {
            var parameters = rsa.ExportParameters(includePrivateParameters: false);
            Algorithm = "RS256";
            _hash = HashAlgorithmName.SHA256;
            PublicKey = new PublicJsonWebKey
            {
                KeyType = "RSA",
                Algorithm = Algorithm,
                KeyId = string.Empty,
                Modulus = Base64Url.EncodeToString(parameters.Modulus),
                Exponent = Base64Url.EncodeToString(parameters.Exponent),
            };
        }
        else
        {
            var parameters = ecdsa!.ExportParameters(includePrivateParameters: false);
            (Algorithm, _hash, var curve) = ecdsa.KeySize switch
            {
                256 => ("ES256", HashAlgorithmName.SHA256, "P-256"),
                384 => ("ES384", HashAlgorithmName.SHA384, "P-384"),
                _ => throw new NotSupportedException($"EC keys of {ecdsa.KeySize} bits are not supported; use P-256 or P-384."),
            };
            PublicKey = new PublicJsonWebKey
            {
                KeyType = "EC",
                Algorithm = Algorithm,
                KeyId = string.Empty,
                Curve = curve,
                X = Base64Url.EncodeToString(parameters.Q.X),
                Y = Base64Url.EncodeToString(parameters.Q.Y),
            };
        }

        KeyId = JwkThumbprint.Compute(PublicKey);
        PublicKey = PublicKey with { KeyId = KeyId };
    }

    public string KeyId { get; }

    public string Algorithm { get; }

    public string Signer => TelemetryNames.Value.LocalSigner;

    public PublicJsonWebKey PublicKey { get; }

    /// <summary>Reads an RSA or EC private key from PEM (PKCS#8, PKCS#1 or SEC1).</summary>
    public static LocalSigningKey FromPem(string pem)
    {
        var label = PemEncoding.Find(pem).Label;
        var isEc = pem[label].SequenceEqual("EC PRIVATE KEY") || (pem[label].SequenceEqual("PRIVATE KEY") && IsEcPkcs8(pem));
        if (isEc)
        {
            var ecdsa = ECDsa.Create();
            ecdsa.ImportFromPem(pem);
            return new LocalSigningKey(null, ecdsa);
        }

        var rsa = RSA.Create();
        rsa.ImportFromPem(pem);
        return new LocalSigningKey(rsa, null);
    }

    public static string GeneratePem(string algorithm)
    {
        using AsymmetricAlgorithm key = algorithm switch
        {
            "RS256" => RSA.Create(2048),
            "ES256" => ECDsa.Create(ECCurve.NamedCurves.nistP256),
            _ => throw new NotSupportedException($"Cannot generate a local key for {algorithm}; use RS256 or ES256."),
        };
        return key.ExportPkcs8PrivateKeyPem();
    }

    public Task<byte[]> SignAsync(ReadOnlyMemory<byte> signingInput, CancellationToken cancellationToken)
    {
        // ECDsa.SignData produces IEEE P1363 (r||s), which is what JWS wants.
        var signature = _rsa is not null
            ? _rsa.SignData(signingInput.Span, _hash, RSASignaturePadding.Pkcs1)
            : _ecdsa!.SignData(signingInput.Span, _hash);
        return Task.FromResult(signature);
    }

    public void Dispose()
    {
        _rsa?.Dispose();
        _ecdsa?.Dispose();
    }

    private static bool IsEcPkcs8(string pem)
    {
        using var probe = ECDsa.Create();
        try
        {
            probe.ImportFromPem(pem);
            return true;
        }
        catch (CryptographicException)
        {
            return false;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
