using Microsoft.Extensions.Primitives;
using Microsoft.IdentityModel.Tokens;
using TokenFunction.Protocol;
using TokenFunction.Tests.Infrastructure;

namespace TokenFunction.Tests.Unit.Protocol;

/// <summary>The checks of RFC 9449 section 4.3 on proofs made by Microsoft.IdentityModel, without HTTP or storage.</summary>
public sealed class DpopProofValidatorTests
{
    private static readonly Uri Endpoint = new("https://issuer.example.test/api/v1/oauth/token");
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 8, 0, 0, TimeSpan.Zero);
    private static readonly DpopProofRules Rules = new(["ES256", "ES384", "PS256", "RS256"], Endpoint, TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(5));

    [TestCase(SecurityAlgorithms.EcdsaSha256)]
    [TestCase(SecurityAlgorithms.EcdsaSha384)]
    [TestCase(SecurityAlgorithms.RsaSsaPssSha256)]
    [TestCase(SecurityAlgorithms.RsaSha256)]
    public void AValidProof_YieldsTheThumbprintTheLibraryComputes_ItsJtiAndIat(string algorithm)
    {
        using var key = DpopKey.For(algorithm);

        var proof = DpopProofValidator.Read(new StringValues(key.Proof(Endpoint, Now.AddSeconds(-10))), Rules, Now);

        Assert.Multiple(() =>
        {
            Assert.That(proof!.Thumbprint, Is.EqualTo(key.Thumbprint));
            Assert.That(proof.JwtId, Is.Not.Empty);
            Assert.That(proof.IssuedAt, Is.EqualTo(Now.AddSeconds(-10)));
            Assert.That(proof.Nonce, Is.Null);
        });
    }

    [Test]
    public void NoHeader_IsNoProof() =>
        Assert.That(DpopProofValidator.Read(StringValues.Empty, Rules, Now), Is.Null);

    [TestCase("https://ISSUER.example.test:443/api/v1/oauth/token", TestName = "AnHtuWithAnotherCaseOfHostAndTheDefaultPort_IsTheSameTarget")]
    [TestCase("https://issuer.example.test/api/v1/oauth/token?a=b#c", TestName = "AnHtuWithQueryAndFragment_IsTheSameTarget")]
    public void HtuComparison_NormalisesAndIgnoresQueryAndFragment(string htu)
    {
        using var key = DpopKey.Ec();

        Assert.That(DpopProofValidator.Read(new StringValues(key.Proof(Endpoint, Now, new ProofShape { Target = htu })), Rules, Now), Is.Not.Null);
    }

    [TestCaseSource(nameof(Broken))]
    public void ABrokenProof_IsInvalidDpopProof(Func<DpopKey, string[]> proofs)
    {
        using var key = DpopKey.Ec();

        var refusal = Assert.Throws<OAuthProtocolException>(() => DpopProofValidator.Read(new StringValues(proofs(key)), Rules, Now));

        Assert.That(refusal!.Error, Is.EqualTo(OAuthErrorCodes.InvalidDpopProof));
    }

    private static IEnumerable<TestCaseData> Broken()
    {
        yield return Case("AnotherTyp", k => [k.Proof(Endpoint, Now, new ProofShape { Type = "JWT" })]);
        yield return Case("AlgNone", k => [k.Proof(Endpoint, Now, new ProofShape { AlgNone = true })]);
        yield return Case("Hs256", k => [k.Proof(Endpoint, Now, new ProofShape { Hmac = true })]);
        yield return Case("AnAlgorithmNotConfigured", _ =>
        {
            using var rs384 = DpopKey.Rsa(SecurityAlgorithms.RsaSha384);
            return [rs384.Proof(Endpoint, Now)];
        });
        yield return Case("ASmallRsaKey", _ => [SmallRsaProof()]);
        yield return Case("PrivateJwk", k => [k.Proof(Endpoint, Now, new ProofShape { PrivateJwk = true })]);
        yield return Case("BadSignature", k =>
        {
            using var other = DpopKey.Ec();
            return [k.Proof(Endpoint, Now, new ProofShape { SignedBy = other })];
        });
        yield return Case("WrongHtm", k => [k.Proof(Endpoint, Now, new ProofShape { Method = "post" })]);
        yield return Case("WrongHtu", k => [k.Proof(Endpoint, Now, new ProofShape { Target = "https://issuer.example.test/api/v1/oauth/revoke" })]);
        yield return Case("HtuOverHttp", k => [k.Proof(Endpoint, Now, new ProofShape { Target = "http://issuer.example.test/api/v1/oauth/token" })]);
        yield return Case("StaleIat", k => [k.Proof(Endpoint, Now, new ProofShape { Age = TimeSpan.FromSeconds(61) })]);
        yield return Case("FutureIat", k => [k.Proof(Endpoint, Now, new ProofShape { Age = TimeSpan.FromSeconds(-6) })]);
        yield return Case("MissingJti", k => [k.Proof(Endpoint, Now, new ProofShape { WithJwtId = false })]);
        yield return Case("TwoHeaders", k => [k.Proof(Endpoint, Now), k.Proof(Endpoint, Now)]);
        yield return Case("TwoProofsInOneHeader", k => [k.Proof(Endpoint, Now) + ", " + k.Proof(Endpoint, Now)]);
        yield return Case("NotAJws", _ => ["a.b"]);
        yield return Case("AnIatFarBeforeTheEpoch", k => [k.Proof(Endpoint, Now, new ProofShape { IssuedAtSeconds = -100_000_000_000 })]);
        yield return Case("AnIatPastYear9999", k => [k.Proof(Endpoint, Now, new ProofShape { IssuedAtSeconds = 300_000_000_000 })]);
        yield return Case("AJsonArrayHeader", _ => ["WyJ4Il0.e30.AA"]);
    }

    private static TestCaseData Case(string name, Func<DpopKey, string[]> proofs) =>
        new TestCaseData(proofs).SetName($"AProofWith{name}_IsRefused");

    private static string SmallRsaProof()
    {
        using var rsa = System.Security.Cryptography.RSA.Create(1024);
        var p = rsa.ExportParameters(false);
        var descriptor = new SecurityTokenDescriptor
        {
            TokenType = "dpop+jwt",
            AdditionalHeaderClaims = new Dictionary<string, object>
            {
                ["jwk"] = new Dictionary<string, object> { ["kty"] = "RSA", ["n"] = Base64UrlEncoder.Encode(p.Modulus), ["e"] = Base64UrlEncoder.Encode(p.Exponent) },
            },
            Claims = new Dictionary<string, object> { ["htm"] = "POST", ["htu"] = Endpoint.AbsoluteUri, ["iat"] = Now.ToUnixTimeSeconds(), ["jti"] = "small" },
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(rsa), SecurityAlgorithms.RsaSha256),
        };
        return new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(descriptor);
    }
}
