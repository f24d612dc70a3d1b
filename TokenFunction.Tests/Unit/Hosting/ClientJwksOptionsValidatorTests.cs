using Microsoft.Extensions.Options;
using TokenFunction.Hosting;
using TokenFunction.Settings;

namespace TokenFunction.Tests.Unit.Hosting;

public class ClientJwksOptionsValidatorTests
{
    [Test]
    public void Validate_AcceptsTheDefaults()
    {
        var result = Validate(new ClientJwksOptions());

        Assert.That(result.Succeeded, Is.True, result.FailureMessage);
    }

    [Test]
    public void Defaults_AreFiveSecondsSixtyFourKibFiveMinutesThirtySecondsAndAnHour()
    {
        var options = new ClientJwksOptions();

        Assert.That(
            (options.FetchTimeoutSeconds, options.MaxResponseBytes, options.CacheSeconds, options.MinRefetchSeconds, options.StaleSeconds),
            Is.EqualTo((5, 65_536, 300, 30, 3600)));
    }

    [Test]
    public void AllowLoopback_IsOffByDefault()
    {
        Assert.That(new ClientJwksOptions().AllowLoopback, Is.False);
    }

    [Test]
    public void Validate_AcceptsAllowLoopbackLocally()
    {
        var result = new ClientJwksOptionsValidator(_ => null).Validate(name: null, new ClientJwksOptions { AllowLoopback = true });

        Assert.That(result.Succeeded, Is.True, result.FailureMessage);
    }

    [Test]
    public void Validate_RefusesAllowLoopbackInAzure_NamingTheSetting()
    {
        var inAzure = new ClientJwksOptionsValidator(name => name == AzureEnvironment.InstanceIdVariable ? "0123456789abcdef" : null);

        var refused = inAzure.Validate(name: null, new ClientJwksOptions { AllowLoopback = true });
        var defaults = inAzure.Validate(name: null, new ClientJwksOptions());

        Assert.That(refused.Failed, Is.True);
        Assert.That(refused.FailureMessage, Does.Contain("ClientJwks__AllowLoopback").And.Contain("WEBSITE_INSTANCE_ID"));
        Assert.That(defaults.Succeeded, Is.True, defaults.FailureMessage);
    }

    [TestCase(nameof(ClientJwksOptions.FetchTimeoutSeconds), 0, "ClientJwks__FetchTimeoutSeconds", TestName = "Validate_RefusesAZeroFetchTimeout")]
    [TestCase(nameof(ClientJwksOptions.FetchTimeoutSeconds), 31, "ClientJwks__FetchTimeoutSeconds", TestName = "Validate_RefusesAFetchTimeoutOverThirtySeconds")]
    [TestCase(nameof(ClientJwksOptions.MaxResponseBytes), 1023, "ClientJwks__MaxResponseBytes", TestName = "Validate_RefusesAResponseLimitUnderOneKib")]
    [TestCase(nameof(ClientJwksOptions.MaxResponseBytes), 1_048_577, "ClientJwks__MaxResponseBytes", TestName = "Validate_RefusesAResponseLimitOverOneMib")]
    [TestCase(nameof(ClientJwksOptions.CacheSeconds), 0, "ClientJwks__CacheSeconds", TestName = "Validate_RefusesAZeroCacheTime")]
    [TestCase(nameof(ClientJwksOptions.CacheSeconds), 86_401, "ClientJwks__CacheSeconds", TestName = "Validate_RefusesACacheTimeOverADay")]
    [TestCase(nameof(ClientJwksOptions.MinRefetchSeconds), 0, "ClientJwks__MinRefetchSeconds", TestName = "Validate_RefusesAZeroMinRefetch")]
    [TestCase(nameof(ClientJwksOptions.StaleSeconds), -1, "ClientJwks__StaleSeconds", TestName = "Validate_RefusesANegativeStaleTime")]
    [TestCase(nameof(ClientJwksOptions.StaleSeconds), 604_801, "ClientJwks__StaleSeconds", TestName = "Validate_RefusesAStaleTimeOverAWeek")]
    public void Validate_RefusesOutOfRangeNamingTheSettingAndValue(string property, int value, string setting)
    {
        var options = new ClientJwksOptions();
        typeof(ClientJwksOptions).GetProperty(property)!.SetValue(options, value);

        var result = Validate(options);

        Assert.That(result.Failed, Is.True);
        Assert.That(result.FailureMessage, Does.Contain(setting).And.Contain($"it is {value}."));
    }

    [Test]
    public void Validate_AcceptsZeroStaleTime()
    {
        Assert.That(Validate(new ClientJwksOptions { StaleSeconds = 0 }).Succeeded, Is.True);
    }

    [Test]
    public void Validate_RefusesMinRefetchLongerThanTheCacheTime()
    {
        var result = Validate(new ClientJwksOptions { CacheSeconds = 60, MinRefetchSeconds = 61 });

        Assert.That(result.Failed, Is.True);
        Assert.That(result.FailureMessage, Does.Contain("ClientJwks__MinRefetchSeconds").And.Contain("ClientJwks__CacheSeconds"));
    }

    [Test]
    public void Validate_ReportsEveryProblemAtOnce()
    {
        var result = Validate(new ClientJwksOptions { FetchTimeoutSeconds = 0, MaxResponseBytes = 0, StaleSeconds = -1 });

        Assert.That(result.Failures, Has.Exactly(3).Items);
    }

    private static ValidateOptionsResult Validate(ClientJwksOptions options) =>
        new ClientJwksOptionsValidator(_ => null).Validate(name: null, options);
}
