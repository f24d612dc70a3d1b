using TokenFunction.Storage;

namespace TokenFunction.Tests.Unit.Storage;

public class GrantIndexKeysTests
{
    [Test]
    public void HourBucket_IsTheUtcHourAndSortsAsTime()
    {
        var instant = new DateTimeOffset(2026, 3, 9, 23, 59, 59, TimeSpan.FromHours(-2));

        Assert.Multiple(() =>
        {
            Assert.That(GrantIndexKeys.HourBucket(instant), Is.EqualTo("2026031001"));
            Assert.That(string.CompareOrdinal(GrantIndexKeys.HourBucket(instant), GrantIndexKeys.HourBucket(instant.AddHours(1))), Is.LessThan(0));
        });
    }

    [TestCase("user/with#odd?chars\\")]
    [TestCase("alice")]
    public void BySubject_IsAValidKeyWhateverTheSubject(string subject)
    {
        var key = GrantIndexKeys.BySubject(subject);

        Assert.Multiple(() =>
        {
            Assert.That(key, Does.StartWith(GrantIndexKeys.SubjectPrefix));
            Assert.That(key.IndexOfAny(['/', '\\', '#', '?']), Is.EqualTo(-1));
            Assert.That(key, Is.EqualTo(GrantIndexKeys.BySubject(subject)));
        });
    }
}
