using System.Text.RegularExpressions;
using TokenFunction.Clients;

namespace TokenFunction.Tests.Unit.Clients;

public partial class ClientSecretHasherTests
{
    [Test]
    public void Verify_AcceptsTheSecretThatWasHashed()
    {
        var secret = ClientSecretHasher.GenerateSecret();

        Assert.That(ClientSecretHasher.Verify(secret, ClientSecretHasher.Hash(secret)), Is.True);
    }

    [TestCase("pa:ss w+rd%")]
    [TestCase("Grüße-€-密码")]
    public void Verify_AcceptsNonAsciiAndPunctuatedSecrets(string secret)
    {
        Assert.That(ClientSecretHasher.Verify(secret, ClientSecretHasher.Hash(secret)), Is.True);
    }

    [Test]
    public void Verify_RejectsWrongSecret()
    {
        var secret = ClientSecretHasher.GenerateSecret();
        var hash = ClientSecretHasher.Hash(secret);

        Assert.Multiple(() =>
        {
            Assert.That(ClientSecretHasher.Verify(ClientSecretHasher.GenerateSecret(), hash), Is.False);
            Assert.That(ClientSecretHasher.Verify(secret[..^1], hash), Is.False);
            Assert.That(ClientSecretHasher.Verify(secret + "x", hash), Is.False);
            Assert.That(ClientSecretHasher.Verify(secret.ToUpperInvariant(), hash), Is.False);
            Assert.That(ClientSecretHasher.Verify(string.Empty, hash), Is.False);
        });
    }

    [Test]
    public void Hash_DoesNotContainTheSecret()
    {
        var secret = ClientSecretHasher.GenerateSecret();

        var hash = ClientSecretHasher.Hash(secret);

        Assert.Multiple(() =>
        {
            Assert.That(hash, Does.Not.Contain(secret));
            Assert.That(hash, Does.Not.Contain(secret[..16]));
            Assert.That(hash, Does.StartWith("sha256$"));
            Assert.That(hash.Split('$'), Has.Length.EqualTo(3));
        });
    }

    [Test]
    public void Hash_IsSaltedSoTheSameSecretHashesDifferently()
    {
        var secret = ClientSecretHasher.GenerateSecret();

        var first = ClientSecretHasher.Hash(secret);
        var second = ClientSecretHasher.Hash(secret);

        Assert.Multiple(() =>
        {
            Assert.That(first, Is.Not.EqualTo(second));
            Assert.That(ClientSecretHasher.Verify(secret, first), Is.True);
            Assert.That(ClientSecretHasher.Verify(secret, second), Is.True);
        });
    }

    [Test]
    public void GenerateSecret_UsesOnlyUnreservedCharactersAndIsLongEnough()
    {
        for (var i = 0; i < 50; i++)
        {
            var secret = ClientSecretHasher.GenerateSecret();

            Assert.That(secret, Does.Match(UnreservedOnly()));
            Assert.That(secret, Has.Length.GreaterThanOrEqualTo(ClientSecretHasher.MinSecretLength));
        }
    }

    [Test]
    public void GenerateSecret_DiffersEachTime()
    {
        var secrets = Enumerable.Range(0, 100).Select(_ => ClientSecretHasher.GenerateSecret()).ToList();

        Assert.That(secrets, Is.Unique);
    }

    [TestCase("", TestName = "Verify_ReturnsFalseForEmptyStoredHash")]
    [TestCase("sha256", TestName = "Verify_ReturnsFalseForStoredHashWithoutParts")]
    [TestCase("sha256$c2FsdA", TestName = "Verify_ReturnsFalseForStoredHashWithoutDigest")]
    [TestCase("sha256$a$b$c", TestName = "Verify_ReturnsFalseForStoredHashWithExtraPart")]
    [TestCase("md5$c2FsdA$ZGlnZXN0", TestName = "Verify_ReturnsFalseForUnknownScheme")]
    [TestCase("SHA256$c2FsdA$ZGlnZXN0", TestName = "Verify_ReturnsFalseForSchemeInOtherCase")]
    [TestCase("sha256$$", TestName = "Verify_ReturnsFalseForEmptySaltAndDigest")]
    [TestCase("sha256$!!not base64!!$ZGlnZXN0", TestName = "Verify_ReturnsFalseForSaltThatIsNotBase64Url")]
    [TestCase("sha256$c2FsdA$!!not base64!!", TestName = "Verify_ReturnsFalseForDigestThatIsNotBase64Url")]
    [TestCase("sha256$c2FsdA$Z", TestName = "Verify_ReturnsFalseForTruncatedBase64UrlDigest")]
    [TestCase("plain-text-secret", TestName = "Verify_ReturnsFalseForSecretStoredInClear")]
    public void Verify_ReturnsFalseForMalformedStoredHash(string storedHash)
    {
        Assert.That(ClientSecretHasher.Verify("plain-text-secret", storedHash), Is.False);
    }

    [GeneratedRegex("^[A-Za-z0-9._~-]+$")]
    private static partial Regex UnreservedOnly();
}
