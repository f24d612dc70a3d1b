using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using TokenFunction.Signing;

namespace TokenFunction.Tests.Unit.Signing;

public class LocalSigningKeyTests
{
    [TestCase("RS256", "RSA")]
    [TestCase("ES256", "EC")]
    public void FromPem_ReadsGeneratedPkcs8Key(string algorithm, string keyType)
    {
        using var key = LocalSigningKey.FromPem(LocalSigningKey.GeneratePem(algorithm));

        Assert.Multiple(() =>
        {
            Assert.That(key.Algorithm, Is.EqualTo(algorithm));
            Assert.That(key.PublicKey.KeyType, Is.EqualTo(keyType));
            Assert.That(key.PublicKey.Algorithm, Is.EqualTo(algorithm));
            Assert.That(key.PublicKey.Use, Is.EqualTo("sig"));
            Assert.That(key.KeyId, Is.EqualTo(JwkThumbprint.Compute(key.PublicKey)));
            Assert.That(key.PublicKey.KeyId, Is.EqualTo(key.KeyId));
        });
    }

    [Test]
    public void GeneratePem_WritesPkcs8PrivateKey()
    {
        Assert.Multiple(() =>
        {
            Assert.That(LocalSigningKey.GeneratePem("RS256"), Does.StartWith("-----BEGIN PRIVATE KEY-----"));
            Assert.That(LocalSigningKey.GeneratePem("ES256"), Does.StartWith("-----BEGIN PRIVATE KEY-----"));
        });
    }

    [Test]
    public void GeneratePem_RefusesUnsupportedAlgorithm()
    {
        Assert.That(() => LocalSigningKey.GeneratePem("HS256"), Throws.TypeOf<NotSupportedException>().With.Message.Contains("HS256"));
    }

    [Test]
    public void GeneratePem_GivesNewKeyEachTime()
    {
        using var first = LocalSigningKey.FromPem(LocalSigningKey.GeneratePem("ES256"));
        using var second = LocalSigningKey.FromPem(LocalSigningKey.GeneratePem("ES256"));

        Assert.That(first.KeyId, Is.Not.EqualTo(second.KeyId));
    }

    [Test]
    public void FromPem_ReadsPkcs1RsaKey()
    {
        using var rsa = RSA.Create(2048);

        using var key = LocalSigningKey.FromPem(rsa.ExportRSAPrivateKeyPem());

        Assert.Multiple(() =>
        {
            Assert.That(key.Algorithm, Is.EqualTo("RS256"));
            Assert.That(key.PublicKey.Modulus, Is.EqualTo(Base64Url.EncodeToString(rsa.ExportParameters(false).Modulus)));
        });
    }

    [Test]
    public void FromPem_ReadsSec1EcKey()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        using var key = LocalSigningKey.FromPem(ec.ExportECPrivateKeyPem());

        Assert.Multiple(() =>
        {
            Assert.That(key.Algorithm, Is.EqualTo("ES256"));
            Assert.That(key.PublicKey.Curve, Is.EqualTo("P-256"));
            Assert.That(key.PublicKey.X, Is.EqualTo(Base64Url.EncodeToString(ec.ExportParameters(false).Q.X)));
        });
    }

    [Test]
    public void FromPem_MapsP384ToEs384()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP384);

        using var key = LocalSigningKey.FromPem(ec.ExportPkcs8PrivateKeyPem());

        Assert.Multiple(() =>
        {
            Assert.That(key.Algorithm, Is.EqualTo("ES384"));
            Assert.That(key.PublicKey.Curve, Is.EqualTo("P-384"));
        });
    }

    [Test]
    public void FromPem_RefusesP521()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP521);

        Assert.That(() => LocalSigningKey.FromPem(ec.ExportPkcs8PrivateKeyPem()), Throws.TypeOf<NotSupportedException>());
    }

    [TestCase("RS256")]
    [TestCase("ES256")]
    public void PublicKey_SerializesWithoutPrivateMembers(string algorithm)
    {
        using var key = LocalSigningKey.FromPem(LocalSigningKey.GeneratePem(algorithm));

        using var json = JsonDocument.Parse(JsonSerializer.Serialize(key.PublicKey));
        var members = json.RootElement.EnumerateObject().Select(p => p.Name).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(members, Is.EquivalentTo(algorithm == "RS256"
                ? new[] { "kty", "use", "alg", "kid", "n", "e" }
                : new[] { "kty", "use", "alg", "kid", "crv", "x", "y" }));
            Assert.That(members, Has.None.AnyOf("d", "p", "q", "dp", "dq", "qi"));
        });
    }

    [TestCase("RS256")]
    [TestCase("ES256")]
    public async Task SignAsync_ProducesSignatureThePublicKeyVerifies(string algorithm)
    {
        var pem = LocalSigningKey.GeneratePem(algorithm);
        using var key = LocalSigningKey.FromPem(pem);
        var input = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0"u8.ToArray();

        var signature = await key.SignAsync(input, CancellationToken.None);

        bool verified;
        if (algorithm == "RS256")
        {
            using var rsa = RSA.Create();
            rsa.ImportFromPem(pem);
            verified = rsa.VerifyData(input, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        }
        else
        {
            using var ec = ECDsa.Create();
            ec.ImportFromPem(pem);
            Assert.That(signature, Has.Length.EqualTo(64), "JWS ES256 signatures are r||s, 64 bytes");
            verified = ec.VerifyData(input, signature, HashAlgorithmName.SHA256);
        }

        Assert.That(verified, Is.True);
    }
}
