using TokenFunction.Hosting;
using TokenFunction.Settings;

namespace TokenFunction.Tests.Unit.Hosting;

public class ThrottlingOptionsValidatorTests
{
    [Test]
    public void Defaults_TwentyFailuresAMinute_AreValid()
    {
        var options = new ThrottlingOptions();

        Assert.Multiple(() =>
        {
            Assert.That((options.MaxFailedAuthentications, options.WindowSeconds), Is.EqualTo((20, 60)));
            Assert.That(new ThrottlingOptionsValidator().Validate(null, options).Succeeded, Is.True);
        });
    }

    [TestCase(-1, 60, "Throttling__MaxFailedAuthentications", TestName = "Validate_RefusesANegativeLimit")]
    [TestCase(20, 0, "Throttling__WindowSeconds", TestName = "Validate_RefusesAWindowOfZero")]
    [TestCase(20, 3601, "Throttling__WindowSeconds", TestName = "Validate_RefusesAWindowOverAnHour")]
    public void Validate_RefusesOutOfRangeValues_NamingTheSetting(int limit, int window, string setting)
    {
        var result = new ThrottlingOptionsValidator().Validate(null, new ThrottlingOptions { MaxFailedAuthentications = limit, WindowSeconds = window });

        Assert.That(result.FailureMessage, Does.Contain(setting));
    }

    [Test]
    public void Validate_AcceptsZero_WhichTurnsThrottlingOff()
    {
        Assert.That(new ThrottlingOptionsValidator().Validate(null, new ThrottlingOptions { MaxFailedAuthentications = 0 }).Succeeded, Is.True);
    }
}
