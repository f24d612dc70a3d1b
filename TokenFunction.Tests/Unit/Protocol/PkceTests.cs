using TokenFunction.Protocol;

namespace TokenFunction.Tests.Unit.Protocol;

public class PkceTests
{
    // RFC 7636 Appendix B.
    private const string RfcVerifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    private const string RfcChallenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    [Test]
    public void ComputeS256Challenge_MatchesRfc7636AppendixB()
    {
        Assert.That(Pkce.ComputeS256Challenge(RfcVerifier), Is.EqualTo(RfcChallenge));
    }

    [Test]
    public void Matches_S256_AcceptsRfc7636AppendixBPair()
    {
        Assert.That(Pkce.Matches(RfcVerifier, RfcChallenge, Pkce.S256), Is.True);
    }

    [Test]
    public void Matches_S256_RejectsOtherVerifier()
    {
        var other = "eBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

        Assert.That(Pkce.Matches(other, RfcChallenge, Pkce.S256), Is.False);
    }

    [Test]
    public void Matches_S256_RejectsVerifierSentAsItsOwnChallenge()
    {
        // A client that sends the challenge as the verifier must not pass: S256 hashes the verifier.
        Assert.That(Pkce.Matches(RfcChallenge, RfcChallenge, Pkce.S256), Is.False);
    }

    [Test]
    public void Matches_Plain_ComparesVerifierWithChallenge()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Pkce.Matches(RfcVerifier, RfcVerifier, Pkce.Plain), Is.True);
            Assert.That(Pkce.Matches(RfcVerifier, RfcVerifier + "x", Pkce.Plain), Is.False);
            Assert.That(Pkce.Matches(RfcVerifier, RfcChallenge, Pkce.Plain), Is.False);
        });
    }

    [TestCase(42, false)]
    [TestCase(43, true)]
    [TestCase(128, true)]
    [TestCase(129, false)]
    public void IsValidVerifier_EnforcesLength43To128(int length, bool valid)
    {
        Assert.That(Pkce.IsValidVerifier(new string('a', length)), Is.EqualTo(valid));
    }

    [Test]
    public void IsValidVerifier_AcceptsEveryUnreservedCharacter()
    {
        var verifier = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";

        Assert.That(Pkce.IsValidVerifier(verifier), Is.True);
    }

    [TestCase(' ')]
    [TestCase('+')]
    [TestCase('/')]
    [TestCase('=')]
    [TestCase('%')]
    [TestCase('!')]
    [TestCase('\n')]
    [TestCase('\0')]
    [TestCase('é')]
    [TestCase('\u0660')] // ARABIC-INDIC DIGIT ZERO: a Unicode digit, not an ASCII one
    [TestCase('\uFF21')] // FULLWIDTH LATIN CAPITAL LETTER A
    public void IsValidVerifier_RejectsForbiddenCharacter(char forbidden)
    {
        var verifier = RfcVerifier[..20] + forbidden + RfcVerifier[20..];

        Assert.That(Pkce.IsValidVerifier(verifier), Is.False);
    }

    [TestCase("S256", true)]
    [TestCase("plain", true)]
    [TestCase("s256", false)]
    [TestCase("PLAIN", false)]
    [TestCase("S512", false)]
    [TestCase("", false)]
    public void IsSupportedMethod_KnowsExactlyS256AndPlain(string method, bool supported)
    {
        Assert.That(Pkce.IsSupportedMethod(method), Is.EqualTo(supported));
    }
}
