using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace TokenFunction.Tests.Infrastructure;

/// <summary>How a proof departs from a valid one, for the tests of each check.</summary>
public sealed record ProofShape
{
    public string? Type { get; init; } = "dpop+jwt";
    public string Method { get; init; } = "POST";
    public string? Target { get; init; }
    public TimeSpan Age { get; init; }

    /// <summary>An <c>iat</c> given as is (seconds since the epoch), instead of now minus <see cref="Age"/>.</summary>
    public long? IssuedAtSeconds { get; init; }
    public bool WithJwtId { get; init; } = true;
    public string? Nonce { get; init; }

    /// <summary>Put the private key into the header's jwk, as a careless client might.</summary>
    public bool PrivateJwk { get; init; }

    /// <summary>Sign with this key instead (the header keeps its own jwk): a signature that does not verify.</summary>
    public DpopKey? SignedBy { get; init; }

    /// <summary>Sign with HMAC-SHA256 under a random secret.</summary>
    public bool Hmac { get; init; }

    /// <summary>No signature at all: <c>alg</c> none.</summary>
    public bool AlgNone { get; init; }
}

/// <summary>
/// A client's DPoP key and its proofs (RFC 9449 section 4), made by Microsoft.IdentityModel, an independent JWT library,
/// as a real client makes them; the RFC 7638 thumbprint as that library computes it.
/// </summary>
public sealed class DpopKey : IDisposable
{
    private readonly AsymmetricAlgorithm _key;
    private readonly AsymmetricSecurityKey _securityKey;

    private DpopKey(AsymmetricAlgorithm key, string algorithm)
    {
        _key = key;
        Algorithm = algorithm;
        _securityKey = key is ECDsa ec ? new ECDsaSecurityKey(ec) : new RsaSecurityKey((RSA)key);
    }

    public string Algorithm { get; }

    public static DpopKey Ec(string algorithm = SecurityAlgorithms.EcdsaSha256) => new(ECDsa.Create(algorithm switch
    {
        SecurityAlgorithms.EcdsaSha384 => ECCurve.NamedCurves.nistP384,
        _ => ECCurve.NamedCurves.nistP256,
    }), algorithm);

    public static DpopKey Rsa(string algorithm = SecurityAlgorithms.RsaSsaPssSha256) => new(RSA.Create(2048), algorithm);

    public static DpopKey For(string algorithm) => algorithm.StartsWith("ES", StringComparison.Ordinal) ? Ec(algorithm) : Rsa(algorithm);

    /// <summary>The public JWK, built by the library from the key's public parameters.</summary>
    public JsonWebKey PublicJwk
    {
        get
        {
            if (_key is ECDsa ec)
            {
                var p = ec.ExportParameters(includePrivateParameters: false);
                return new JsonWebKey
                {
                    Kty = JsonWebAlgorithmsKeyTypes.EllipticCurve,
                    Crv = Algorithm == SecurityAlgorithms.EcdsaSha384 ? JsonWebKeyECTypes.P384 : JsonWebKeyECTypes.P256,
                    X = Base64UrlEncoder.Encode(p.Q.X),
                    Y = Base64UrlEncoder.Encode(p.Q.Y),
                };
            }

            var r = ((RSA)_key).ExportParameters(includePrivateParameters: false);
            return new JsonWebKey { Kty = JsonWebAlgorithmsKeyTypes.RSA, N = Base64UrlEncoder.Encode(r.Modulus), E = Base64UrlEncoder.Encode(r.Exponent) };
        }
    }

    /// <summary>The RFC 7638 thumbprint, as Microsoft.IdentityModel computes it: what <c>cnf.jkt</c> must be.</summary>
    public string Thumbprint => Base64UrlEncoder.Encode(PublicJwk.ComputeJwkThumbprint());

    /// <summary>A proof for a POST to <paramref name="target"/> now (or shaped by <paramref name="shape"/>).</summary>
    public string Proof(Uri target, DateTimeOffset now, ProofShape? shape = null)
    {
        shape ??= new ProofShape();
        var claims = new Dictionary<string, object>
        {
            ["htm"] = shape.Method,
            ["htu"] = shape.Target ?? target.AbsoluteUri,
            ["iat"] = shape.IssuedAtSeconds ?? (now - shape.Age).ToUnixTimeSeconds(),
        };
        if (shape.WithJwtId)
        {
            claims["jti"] = Guid.NewGuid().ToString("N");
        }

        if (shape.Nonce is not null)
        {
            claims["nonce"] = shape.Nonce;
        }

        SigningCredentials? credentials = shape.AlgNone ? null
            : shape.Hmac ? new SigningCredentials(new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(32)), SecurityAlgorithms.HmacSha256)
            : new SigningCredentials((shape.SignedBy ?? this)._securityKey, Algorithm);
        var descriptor = new SecurityTokenDescriptor
        {
            TokenType = shape.Type,
            AdditionalHeaderClaims = new Dictionary<string, object> { ["jwk"] = JwkMembers(shape.PrivateJwk) },
            Claims = claims,
            SigningCredentials = credentials,
        };
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(descriptor);
    }

    public void Dispose() => _key.Dispose();

    private Dictionary<string, object> JwkMembers(bool withPrivate)
    {
        var jwk = PublicJwk;
        var members = jwk.Kty == JsonWebAlgorithmsKeyTypes.EllipticCurve
            ? new Dictionary<string, object> { ["kty"] = jwk.Kty, ["crv"] = jwk.Crv, ["x"] = jwk.X, ["y"] = jwk.Y }
            : new Dictionary<string, object> { ["kty"] = jwk.Kty, ["n"] = jwk.N, ["e"] = jwk.E };
        if (withPrivate)
        {
            members["d"] = _key is ECDsa ec
                ? Base64UrlEncoder.Encode(ec.ExportParameters(includePrivateParameters: true).D)
                : Base64UrlEncoder.Encode(((RSA)_key).ExportParameters(includePrivateParameters: true).D);
        }

        return members;
    }
}
