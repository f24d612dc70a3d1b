using TokenFunction.Grants;

namespace TokenFunction.Tests.Unit.Storage;

public class RefreshTokensTests
{
    private static readonly string GrantId = GrantKeys.ForCode("some-code");

    [Test]
    public void NewToken_NamesItsGrantAndParsesBackToItsRowKey()
    {
        var token = RefreshTokens.NewToken(GrantId);

        Assert.That(RefreshTokens.TryParse(token, out var grantId, out var rowKey), Is.True);
        Assert.Multiple(() =>
        {
            Assert.That(grantId, Is.EqualTo(GrantId));
            Assert.That(rowKey, Is.EqualTo(RefreshTokens.RowKeyOf(token)).And.StartWith(RefreshTokens.RowKeyPrefix));
            Assert.That(rowKey, Does.Not.Contain(token.Split('.')[1]));
            Assert.That(RefreshTokens.NewToken(GrantId), Is.Not.EqualTo(token));
        });
    }

    [TestCase("")]
    [TestCase("no-dot-at-all")]
    [TestCase("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.short")]
    [TestCase("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB")]
    [TestCase("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/.BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB")]
    [TestCase("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB=")]
    public void TryParse_RefusesAnythingNotInTheFormat(string token)
    {
        Assert.That(RefreshTokens.TryParse(token, out _, out _), Is.False);
    }

    [Test]
    public void SealedSuccessor_OpensOnlyWithTheOldTokenAndTheSameRow()
    {
        var old = RefreshTokens.NewToken(GrantId);
        var successor = RefreshTokens.NewToken(GrantId);
        var sealedValue = RefreshTokens.Seal(old, successor, "grant/rt:x");

        Assert.Multiple(() =>
        {
            Assert.That(RefreshTokens.Open(old, sealedValue, "grant/rt:x"), Is.EqualTo(successor));
            Assert.That(RefreshTokens.Open(RefreshTokens.NewToken(GrantId), sealedValue, "grant/rt:x"), Is.Null, "another token");
            Assert.That(RefreshTokens.Open(old, sealedValue, "grant/rt:y"), Is.Null, "another row");
            Assert.That(RefreshTokens.Open(old, "AAAA", "grant/rt:x"), Is.Null, "garbage");
            Assert.That(sealedValue, Does.Not.Contain(successor.Split('.')[1]));
            Assert.That(RefreshTokens.Seal(old, successor, "grant/rt:x"), Is.Not.EqualTo(sealedValue), "a fresh nonce each time");
        });
    }
}
