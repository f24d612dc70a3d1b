using TokenFunction.Grants;

namespace TokenFunction.Tests.Unit.Storage;

/// <summary>The grant id is a contract with the authorize step (docs/storage.md): base64url(SHA-256(UTF-8(code))).</summary>
public class GrantKeysTests
{
    [Test]
    public void ForCode_IsBase64UrlSha256OfTheCode()
    {
        // SHA-256("abc") = ba7816bf...f20015ad (FIPS 180-2 example), base64url without padding.
        Assert.That(GrantKeys.ForCode("abc"), Is.EqualTo("ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0"));
    }

    [Test]
    public void ForCode_Is43UnpaddedBase64UrlCharactersAndDoesNotContainTheCode()
    {
        const string code = "Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmE";

        var grantId = GrantKeys.ForCode(code);

        Assert.Multiple(() =>
        {
            Assert.That(grantId, Has.Length.EqualTo(43));
            Assert.That(grantId, Does.Match("^[A-Za-z0-9_-]+$"));
            Assert.That(grantId, Does.Not.Contain(code[..8]));
        });
    }

    [Test]
    public void ForCode_HashesUtf8()
    {
        Assert.That(GrantKeys.ForCode("é"), Is.Not.EqualTo(GrantKeys.ForCode("?")));
    }

    [Test]
    public void ForLog_ShowsOnlyAShortPrefix()
    {
        var grantId = GrantKeys.ForCode("abc");

        Assert.Multiple(() =>
        {
            Assert.That(GrantKeys.ForLog(grantId), Is.EqualTo("ungWv48B"));
            Assert.That(GrantKeys.ForLog("short"), Is.EqualTo("short"));
        });
    }
}
