using TokenFunction.Clients;

namespace TokenFunction.Tests.Unit.Clients;

/// <summary>The conservative entropy estimate behind <see cref="ClientSecretPolicy"/>: random secrets pass, patterns do not.</summary>
public class SecretStrengthTests
{
    private const string Hex = "0123456789abcdef";
    private const string Base64UrlAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    [Test]
    public void GeneratedSecrets_AlwaysPass_WithFarMoreThanTheMinimum()
    {
        var lowest = double.MaxValue;
        for (var i = 0; i < 2000; i++)
        {
            var secret = ClientSecretHasher.GenerateSecret();
            Assert.That(ClientSecretPolicy.IsAcceptable(secret, out var reason), Is.True, reason);
            lowest = Math.Min(lowest, SecretStrength.EstimateBits(secret));
        }

        Assert.That(lowest, Is.GreaterThan(ClientSecretPolicy.MinEntropyBits + 64), "43 random base64url characters are about 256 bits");
    }

    // Seeded, so that the run is the same every time; the alphabet and the length are what is tested.
    [TestCase(Hex, 32, false, TestName = "RandomHex_32LowerCaseCharacters_Pass")]
    [TestCase(Hex, 32, true, TestName = "RandomHex_32UpperCaseCharacters_Pass")]
    [TestCase(Hex, 64, false, TestName = "RandomHex_64Characters_Pass")]
    [TestCase(Base64UrlAlphabet, 32, false, TestName = "RandomBase64Url_32Characters_Pass")]
    public void RandomStrings_OfTheRecommendedShape_Pass(string alphabet, int length, bool upperCase)
    {
        var random = new Random(20261202);
        for (var i = 0; i < 1000; i++)
        {
            var secret = new string(random.GetItems(alphabet.AsSpan(), length));
            secret = upperCase ? secret.ToUpperInvariant() : secret;

            Assert.That(ClientSecretPolicy.IsAcceptable(secret, out var reason), Is.True, $"{secret}: {reason}");
        }
    }

    [TestCase("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", TestName = "RepeatedCharacter_Fails")]
    [TestCase("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN", TestName = "AlphabeticalSequence_Fails")]
    [TestCase("zyxwvutsrqponmlkjihgfedcba9876543210ZYXW", TestName = "DescendingSequences_Fail")]
    [TestCase("0123456789012345678901234567890123456789", TestName = "RepeatedDigitSequence_Fails")]
    [TestCase("13579135791357913579acegikmoqsuwy2468024", TestName = "SequencesWithALargerStep_Fail")]
    [TestCase("qwertyuiopasdfghjklzxcvbnm1234567890!@#$", TestName = "KeyboardRows_Fail")]
    [TestCase("abcabcabcabcabcabcabcabcabcabcabcabcabca", TestName = "RepeatedChunk_Fails")]
    [TestCase("passwordpasswordpassword12345678", TestName = "RepeatedPasswordPaddedWithASequence_Fails")]
    [TestCase("correcthorsebatterystaple111111111111111", TestName = "FamousPassphrasePaddedWithOnes_Fails")]
    [TestCase("CorrectHorseBatteryStaple1111111111111111", TestName = "CapitalisedPassphrasePaddedWithOnes_Fails")]
    [TestCase("P@ssw0rdP@ssw0rdP@ssw0rd!P@ssw0rd!2026", TestName = "LeetspeakPasswordRepeated_Fails")]
    [TestCase("drowssapdrowssapdrowssapdrowssap", TestName = "ReversedWordRepeated_Fails")]
    [TestCase("Summer2026!Summer2026!Summer2026!Summer", TestName = "SeasonAndYearRepeated_Fails")]
    [TestCase("clientsecretclientsecretprodprodprod1234", TestName = "DomainWordsPadded_Fail")]
    public void PatternedSecrets_OfAnyLength_Fail(string secret)
    {
        Assert.That(secret, Has.Length.GreaterThanOrEqualTo(ClientSecretHasher.MinSecretLength), "long enough: the estimate is what refuses it");

        var acceptable = ClientSecretPolicy.IsAcceptable(secret, out var reason);

        Assert.That(acceptable, Is.False, $"estimated {SecretStrength.EstimateBits(secret):F1} bits");
        Assert.That(reason, Does.Contain("bits").And.Contain("128"));
    }

    [Test]
    public void ShortSecret_FailsOnLengthFirst()
    {
        var acceptable = ClientSecretPolicy.IsAcceptable(ClientSecretHasher.GenerateSecret()[..31], out var reason);

        Assert.That(acceptable, Is.False);
        Assert.That(reason, Does.Contain("at least 32 characters"));
    }

    [Test]
    public void RefusalReason_NamesTheEstimate_NotTheSecret()
    {
        const string Secret = "passwordpasswordpassword12345678";

        ClientSecretPolicy.IsAcceptable(Secret, out var reason);

        Assert.That(reason, Does.Not.Contain("password").And.Match(@"about \d+ bits"));
    }

    [Test]
    public void ARun_CostsLittleMoreThanItsFirstCharacter()
    {
        Assert.That(SecretStrength.EstimateBits(new string('x', 200)), Is.LessThan(Math.Log2(26) + 10));
    }

    [Test]
    public void AListedWord_CostsLessThanItsLettersAtRandom()
    {
        Assert.Multiple(() =>
        {
            Assert.That(SecretStrength.EstimateBits("password"), Is.LessThanOrEqualTo(1));
            Assert.That(SecretStrength.EstimateBits("Password"), Is.LessThanOrEqualTo(2), "a capital first letter is one bit");
            Assert.That(SecretStrength.EstimateBits("p4ssw0rd"), Is.LessThanOrEqualTo(2), "digit-for-letter swaps are one bit");
            Assert.That(SecretStrength.EstimateBits("battery"), Is.LessThan(7 * Math.Log2(26) / 2));
        });
    }

    [TestCase("qwerty", TestName = "AKeyboardRun_CostsLessThanItsKeysAtRandom")]
    [TestCase("lkjhgf", TestName = "AKeyboardRunBackwards_CostsLessThanItsKeysAtRandom")]
    [TestCase("mnopqr", TestName = "AnAlphabeticalSequence_CostsLessThanItsLettersAtRandom")]
    public void ARun_CostsLessThanItsCharactersAtRandom(string text)
    {
        Assert.That(SecretStrength.EstimateBits(text), Is.LessThan(12), $"at random: {text.Length * Math.Log2(26):F1} bits");
    }

    [Test]
    public void Estimate_NeverExceedsEveryCharacterAtRandom()
    {
        var random = new Random(7);
        for (var i = 0; i < 200; i++)
        {
            var secret = new string(random.GetItems("abcXYZ019!-é".AsSpan(), random.Next(1, 80)));

            Assert.That(SecretStrength.EstimateBits(secret), Is.LessThanOrEqualTo((secret.Length * Math.Log2(SecretStrength.CharacterSetSize(secret))) + 1e-9), secret);
        }
    }

    [TestCase("abc", 26)]
    [TestCase("ABC", 26)]
    [TestCase("123", 10)]
    [TestCase("-_!", 33)]
    [TestCase("aB1!", 95)]
    [TestCase("aé", 126)]
    public void CharacterSetSize_AddsTheClassesUsed(string text, int size)
    {
        Assert.That(SecretStrength.CharacterSetSize(text), Is.EqualTo(size));
    }

    [Test]
    public void Estimate_ReadsOnlyTheFirst256Characters_WhichOnlyLowersIt()
    {
        var head = new string('a', SecretStrength.MaxAnalysedLength);
        var random = ClientSecretHasher.GenerateSecret() + ClientSecretHasher.GenerateSecret();

        Assert.That(SecretStrength.EstimateBits(head + random), Is.EqualTo(SecretStrength.EstimateBits(head)));
    }

    [Test]
    public void EmptySecret_IsZeroBits()
    {
        Assert.That(SecretStrength.EstimateBits(string.Empty), Is.Zero);
    }
}
