using System.Buffers.Text;
using System.Security.Cryptography;
using Azure;
using TokenFunction.Telemetry;

namespace TokenFunction.Signing.KeyVault;

/// <summary>
/// One Key Vault key version that signs: its public JWK (published in JWKS with <see cref="KeyId"/> = the version)
/// and a sign call to the vault. The JWS signing input is hashed here; only the digest goes to the vault.
/// </summary>
internal sealed class KeyVaultSigningKey : ISigningKey
{
    private readonly KeyVaultKeysClient _client;
    private readonly KeyVaultErrors _errors;

    private KeyVaultSigningKey(
        KeyVaultKeysClient client, KeyVaultErrors errors, string name, string version, string algorithm, PublicJsonWebKey publicKey, int signatureLength)
    {
        _client = client;
        _errors = errors;
        Name = name;
        Version = version;
        Algorithm = algorithm;
        PublicKey = publicKey;
        SignatureLength = signatureLength;
    }

    /// <summary>The JWS <c>kid</c>: the Key Vault key version (32 hex digits), unique per version and not revealing the vault.</summary>
    public string KeyId => Version;

    public string Algorithm { get; }

    public string Signer => TelemetryNames.Value.KeyVaultSigner;

    public string Name { get; }

    public string Version { get; }

    public PublicJsonWebKey PublicKey { get; }

    /// <summary>Bytes of a JWS signature: the modulus length for RSA, 2 x the coordinate size (r||s) for EC.</summary>
    public int SignatureLength { get; }

    public async Task<byte[]> SignAsync(ReadOnlyMemory<byte> signingInput, CancellationToken cancellationToken)
    {
        byte[] digest = Algorithm == "ES384" ? SHA384.HashData(signingInput.Span) : SHA256.HashData(signingInput.Span);
        Response<KeyVaultSignResult> result;
        try
        {
            result = await _client.SignAsync(Name, Version, Algorithm, digest, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (_errors.Map(exception, "sign", cancellationToken) is { } mapped)
        {
            throw mapped;
        }

        byte[] signature;
        try
        {
            signature = Base64Url.DecodeFromChars(result.Value.Value);
        }
        catch (FormatException)
        {
            throw _errors.Invalid($"Key Vault returned a signature of version {Version} that is not base64url.");
        }

        if (signature.Length != SignatureLength)
        {
            throw _errors.Invalid(
                $"Key Vault returned a {signature.Length}-byte {Algorithm} signature of version {Version}; a JWS signature is {SignatureLength} bytes.");
        }

        return signature;
    }

    /// <summary>Reads a version's public key and picks the JWS algorithm, or throws what makes it unusable.</summary>
    public static KeyVaultSigningKey Create(
        KeyVaultKeysClient client, KeyVaultErrors errors, string name, string version, KeyVaultJsonWebKey key, string rsaAlgorithm)
    {
        if (key.KeyOperations is { Count: > 0 } operations && !operations.Contains("sign", StringComparer.Ordinal))
        {
            throw errors.Invalid($"Version {version} does not allow the sign operation (key_ops: {string.Join(',', operations)}).");
        }

        switch (key.KeyType)
        {
            case "RSA" or "RSA-HSM":
                byte[] modulus = Decode(errors, version, "n", key.N).AsSpan().TrimStart((byte)0).ToArray();
                byte[] exponent = Decode(errors, version, "e", key.E).AsSpan().TrimStart((byte)0).ToArray();
                if (modulus.Length < 256)
                {
                    throw errors.Invalid($"Version {version} is an RSA key of {modulus.Length * 8} bits; at least 2048 are required.");
                }

                return new KeyVaultSigningKey(client, errors, name, version, rsaAlgorithm, new PublicJsonWebKey
                {
                    KeyType = "RSA",
                    Algorithm = rsaAlgorithm,
                    KeyId = version,
                    Modulus = Base64Url.EncodeToString(modulus),
                    Exponent = Base64Url.EncodeToString(exponent),
                }, modulus.Length);

            case "EC" or "EC-HSM":
                (string algorithm, int size) = key.Curve switch
                {
                    "P-256" => ("ES256", 32),
                    "P-384" => ("ES384", 48),
                    _ => throw errors.Invalid($"Version {version} is an EC key on curve '{key.Curve}'; only P-256 (ES256) and P-384 (ES384) sign tokens."),
                };
                byte[] x = Decode(errors, version, "x", key.X);
                byte[] y = Decode(errors, version, "y", key.Y);
                if (x.Length != size || y.Length != size)
                {
                    throw errors.Invalid($"Version {version} has EC coordinates of {x.Length} and {y.Length} bytes; {key.Curve} needs {size}.");
                }

                return new KeyVaultSigningKey(client, errors, name, version, algorithm, new PublicJsonWebKey
                {
                    KeyType = "EC",
                    Algorithm = algorithm,
                    KeyId = version,
                    Curve = key.Curve,
                    X = Base64Url.EncodeToString(x),
                    Y = Base64Url.EncodeToString(y),
                }, 2 * size);

            default:
                throw errors.Invalid($"Version {version} is a '{key.KeyType}' key; only RSA and EC keys sign tokens.");
        }
    }

    private static byte[] Decode(KeyVaultErrors errors, string version, string member, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            throw errors.Invalid($"Version {version} has no '{member}' in its public key.");
        }

        try
        {
            return Base64Url.DecodeFromChars(value);
        }
        catch (FormatException)
        {
            throw errors.Invalid($"Version {version} has a '{member}' that is not base64url.");
        }
    }
}
