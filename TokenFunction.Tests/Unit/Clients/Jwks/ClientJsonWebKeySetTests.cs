using System.Security.Cryptography;
using TokenFunction.Clients.Assertions;
using TokenFunction.Protocol;

namespace TokenFunction.Tests.Unit.Clients.Jwks;

public class ClientJsonWebKeySetTests
{
    [Test]
    public void TryParse_AcceptsRsa2048()
    {
        var parsed = ClientJsonWebKeySet.TryParse(TestJwks.Set(TestJwks.Rsa("rsa")), out var set, out var error);

        Assert.That(parsed, Is.True, error);
        Assert.That(set!.Keys.Single().KeyId, Is.EqualTo("rsa"));
        Assert.That(set.Keys.Single().Fits(JwsAlgorithms.RS256) && set.Keys.Single().Fits(JwsAlgorithms.PS256), Is.True);
    }

    [Test]
    public void TryParse_RefusesRsa1024()
    {
        var parsed = ClientJsonWebKeySet.TryParse(TestJwks.Set(TestJwks.Rsa("small", bits: 1024)), out var set, out var error);

        Assert.That(parsed, Is.False);
        Assert.That(set, Is.Null);
        Assert.That(error, Does.Contain("'small'").And.Contain("2048"));
    }

    [Test]
    public void TryParse_AcceptsEcP256()
    {
        var parsed = ClientJsonWebKeySet.TryParse(TestJwks.Set(TestJwks.EcP256("ec", alg: JwsAlgorithms.ES256)), out var set, out var error);

        Assert.That(parsed, Is.True, error);
        Assert.That(set!.Keys.Single().Fits(JwsAlgorithms.ES256), Is.True);
    }

    [Test]
    public void TryParse_SkipsP384_AndAloneItLeavesNoSigningKey()
    {
        var alone = ClientJsonWebKeySet.TryParse(TestJwks.Set(TestJwks.Ec("p384", ECCurve.NamedCurves.nistP384, "P-384")), out _, out var error);
        var beside = ClientJsonWebKeySet.TryParse(
            TestJwks.Set(TestJwks.Ec("p384", ECCurve.NamedCurves.nistP384, "P-384"), TestJwks.EcP256("p256")), out var set, out _);

        Assert.That(alone, Is.False);
        Assert.That(error, Does.Contain("no signing key"));
        Assert.That(beside, Is.True);
        Assert.That(set!.Keys.Select(k => k.KeyId), Is.EqualTo(new[] { "p256" }));
    }

    [Test]
    public void TryParse_RefusesTheWholeSetWhenAKeyHasThePrivateMemberD()
    {
        var parsed = ClientJsonWebKeySet.TryParse(TestJwks.Set(TestJwks.EcP256("public"), TestJwks.Rsa("leaked", withPrivateExponent: true)), out var set, out var error);

        Assert.That(parsed, Is.False);
        Assert.That(set, Is.Null);
        Assert.That(error, Does.Contain("'d'"));
    }

    [Test]
    public void TryParse_SkipsEncryptionKeys()
    {
        var parsed = ClientJsonWebKeySet.TryParse(TestJwks.Set(TestJwks.Rsa("enc", use: "enc"), TestJwks.Rsa("sig", use: "sig")), out var set, out var error);
        var onlyEncryption = ClientJsonWebKeySet.TryParse(TestJwks.Set(TestJwks.Rsa("enc", use: "enc")), out _, out var onlyError);

        Assert.That(parsed, Is.True, error);
        Assert.That(set!.Keys.Select(k => k.KeyId), Is.EqualTo(new[] { "sig" }));
        Assert.That(onlyEncryption, Is.False);
        Assert.That(onlyError, Does.Contain("no signing key"));
    }

    [Test]
    public void TryParse_RefusesAnEcKeyThatSaysAnRsaAlgorithm()
    {
        var parsed = ClientJsonWebKeySet.TryParse(TestJwks.Set(TestJwks.EcP256("ec", alg: JwsAlgorithms.RS256)), out _, out var error);

        Assert.That(parsed, Is.False);
        Assert.That(error, Does.Contain("'alg': 'RS256'"));
    }

    [Test]
    public void TryParse_RefusesAnRsaKeyThatSaysES256()
    {
        var parsed = ClientJsonWebKeySet.TryParse(TestJwks.Set(TestJwks.Rsa("rsa", alg: JwsAlgorithms.ES256)), out _, out var error);

        Assert.That(parsed, Is.False);
        Assert.That(error, Does.Contain("'alg': 'ES256'"));
    }

    [TestCase("{\"keys\": [")]
    [TestCase("not json")]
    public void TryParse_RefusesInvalidJson(string json)
    {
        var parsed = ClientJsonWebKeySet.TryParse(json, out _, out var error);

        Assert.That(parsed, Is.False);
        Assert.That(error, Is.EqualTo("the JWKS is not valid JSON"));
    }

    [TestCase("[]")]
    [TestCase("{\"keys\": {}}")]
    [TestCase("{}")]
    public void TryParse_RefusesADocumentWithoutAKeysArray(string json)
    {
        var parsed = ClientJsonWebKeySet.TryParse(json, out _, out var error);

        Assert.That(parsed, Is.False);
        Assert.That(error, Does.Contain("'keys' array"));
    }

    [Test]
    public void TryParse_RefusesMoreThanMaxKeys()
    {
        var key = TestJwks.EcP256("same");
        var json = TestJwks.Set([.. Enumerable.Repeat(key, ClientJsonWebKeySet.MaxKeys + 1)]);

        var parsed = ClientJsonWebKeySet.TryParse(json, out _, out var error);
        var atTheLimit = ClientJsonWebKeySet.TryParse(TestJwks.Set([.. Enumerable.Repeat(key, ClientJsonWebKeySet.MaxKeys)]), out _, out _);

        Assert.That(parsed, Is.False);
        Assert.That(error, Does.Contain($"more than {ClientJsonWebKeySet.MaxKeys} keys"));
        Assert.That(atTheLimit, Is.True);
    }
}
