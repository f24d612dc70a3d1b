using TokenFunction.Storage;

namespace TokenFunction.Tests.Unit.Storage;

public class ClientIdKeysTests
{
    [TestCase("my-client_1.0~x")]
    [TestCase("A")]
    public void AnIdOfTheFormerCharacters_IsItsOwnKey_SoRowsWrittenBeforeAreFound(string clientId) =>
        Assert.That(ClientIdKeys.Of(clientId), Is.EqualTo(clientId));

    [TestCase("a:b")]
    [TestCase("urn:example:client")]
    [TestCase("https://app.example.com/client.json?x=1#f")]
    [TestCase("back\\slash and space")]
    public void AnyOtherId_IsEncodedIntoAKeyTableStorageAccepts_AndNeverEqualsAPlainId(string clientId)
    {
        var key = ClientIdKeys.Of(clientId);

        Assert.Multiple(() =>
        {
            Assert.That(key, Does.StartWith(ClientIdKeys.EncodedPrefix));
            Assert.That(key.IndexOfAny(['/', '\\', '#', '?']), Is.EqualTo(-1));
            Assert.That(key.Any(char.IsControl), Is.False);
            Assert.That(ClientIdKeys.IsPlain(key), Is.False, "':' is not a plain character, so no plain id collides with it");
            Assert.That(key, Is.Not.EqualTo(ClientIdKeys.Of(clientId + "x")));
        });
    }

    [Test]
    public void TheLongestIds_GetKeysWellWithinTheOneKibibyteLimit()
    {
        Assert.Multiple(() =>
        {
            Assert.That(ClientIdKeys.Of(new string('~', 255)).Length, Is.LessThanOrEqualTo(345));
            Assert.That(ClientIdKeys.Of(new string('a', 129)), Does.StartWith(ClientIdKeys.EncodedPrefix), "longer than the former limit: encoded");
            Assert.That(GrantIndexKeys.ByClient(new string('?', 255)).Length, Is.LessThan(512));
        });
    }
}
