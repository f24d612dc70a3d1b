using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace TokenFunction.Tests.Infrastructure;

/// <summary>
/// A client's key pair for private_key_jwt: the public JWK it registers, and assertions signed with the private key
/// by Microsoft.IdentityModel, an independent JWT library, as a real client would make them.
/// </summary>
public sealed class ClientKeyPair : IDisposable
{
    private readonly AsymmetricAlgorithm key;

    private ClientKeyPair(AsymmetricAlgorithm key, string algorithm, string keyId)
    {
        this.key = key;
        Algorithm = algorithm;
        KeyId = keyId;
    }

    public string Algorithm { get; }

    public string KeyId { get; }

    public static ClientKeyPair Rsa(string algorithm = SecurityAlgorithms.RsaSha256, int bits = 2048) =>
        new(System.Security.Cryptography.RSA.Create(bits), algorithm, "rsa-" + Guid.NewGuid().ToString("N")[..8]);

    public static ClientKeyPair EcP256() =>
        new(ECDsa.Create(ECCurve.NamedCurves.nistP256), SecurityAlgorithms.EcdsaSha256, "ec-" + Guid.NewGuid().ToString("N")[..8]);

    /// <summary>The public JWK as a client publishes it (<c>use</c> sig, with <c>kid</c>; no <c>alg</c> unless asked).</summary>
    public JsonObject PublicJwk(bool withAlgorithm = false)
    {
        JsonObject jwk;
        if (key is RSA rsa)
        {
            var p = rsa.ExportParameters(includePrivateParameters: false);
            jwk = new JsonObject { ["kty"] = "RSA", ["n"] = Base64Url.EncodeToString(p.Modulus), ["e"] = Base64Url.EncodeToString(p.Exponent) };
        }
        else
        {
            var p = ((ECDsa)key).ExportParameters(includePrivateParameters: false);
            jwk = new JsonObject { ["kty"] = "EC", ["crv"] = "P-256", ["x"] = Base64Url.EncodeToString(p.Q.X), ["y"] = Base64Url.EncodeToString(p.Q.Y) };
        }

        jwk["use"] = "sig";
        jwk["kid"] = KeyId;
        if (withAlgorithm)
        {
            jwk["alg"] = Algorithm;
        }

        return jwk;
    }

    /// <summary>A JWKS document holding the public keys of <paramref name="keys"/>.</summary>
    public static string Jwks(params ClientKeyPair[] keys) =>
        new JsonObject { ["keys"] = new JsonArray([.. keys.Select(k => (JsonNode)k.PublicJwk())]) }.ToJsonString();

    /// <summary>
    /// An assertion for <paramref name="clientId"/> (iss = sub = client id) to <paramref name="audience"/>, valid for a
    /// minute from <paramref name="now"/> with a fresh jti; <paramref name="adjust"/> changes the descriptor before signing.
    /// </summary>
    public string CreateAssertion(string clientId, string audience, DateTimeOffset now, Action<SecurityTokenDescriptor>? adjust = null)
    {
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = clientId,
            Audience = audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = now.AddMinutes(1).UtcDateTime,
            Claims = new Dictionary<string, object>
            {
                [JwtRegisteredClaimNames.Sub] = clientId,
                [JwtRegisteredClaimNames.Jti] = Guid.NewGuid().ToString(),
            },
            SigningCredentials = SigningCredentials,
        };
        adjust?.Invoke(descriptor);
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(descriptor);
    }

    public SigningCredentials SigningCredentials => new(SecurityKey, Algorithm);

    public SecurityKey SecurityKey => key switch
    {
        RSA rsa => new RsaSecurityKey(rsa) { KeyId = KeyId },
        ECDsa ecdsa => new ECDsaSecurityKey(ecdsa) { KeyId = KeyId },
        _ => throw new InvalidOperationException(),
    };

    /// <summary>The public key's encoding, which anyone can read: what an attacker keys an HMAC with (algorithm confusion).</summary>
    public byte[] PublicKeyBytes => key.ExportSubjectPublicKeyInfo();

    public void Dispose() => key.Dispose();
}
