namespace TokenFunction.Tests;

public class SmokeTests
{
    [Test]
    public void Works() => Assert.That(Environment.ProcessorCount, Is.GreaterThan(0));
}
