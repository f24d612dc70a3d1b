using TokenFunction.Storage;

namespace TokenFunction.Tests.Unit.Storage;

public sealed class ResourceLinesTests
{
    [Test]
    public void Resources_RoundTripOnePerLine_InOrder_DuplicatesDropped()
    {
        var column = ResourceLines.Join(["https://b.test/", "https://a.test/x", "https://b.test/"]);

        Assert.Multiple(() =>
        {
            Assert.That(column, Is.EqualTo("https://b.test/\nhttps://a.test/x"));
            Assert.That(ResourceLines.Split(column), Is.EqualTo(new[] { "https://b.test/", "https://a.test/x" }));
        });
    }

    [Test]
    public void NoResources_IsAnAbsentColumn_AndAnAbsentColumnIsNoResources()
    {
        Assert.Multiple(() =>
        {
            Assert.That(ResourceLines.Join([]), Is.Null);
            Assert.That(ResourceLines.Split(null), Is.Empty);
        });
    }

    [Test]
    public void AResourceWithALineBreak_IsRefusedRatherThanSplitInTwo() =>
        Assert.Throws<ArgumentException>(() => ResourceLines.Join(["https://a.test/\nhttps://b.test/"]));
}
