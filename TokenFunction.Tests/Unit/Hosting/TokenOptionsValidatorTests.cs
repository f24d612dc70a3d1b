using TokenFunction.Hosting;
using TokenFunction.Settings;

namespace TokenFunction.Tests.Unit.Hosting;

public class TokenOptionsValidatorTests
{
    [Test]
    public void Validate_AcceptsHttpsIssuerAudienceAndDefaultLifetime()
    {
        var result = Validate(Valid());

        Assert.That(result.Succeeded, Is.True, result.FailureMessage);
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("   ")]
    public void Validate_MissingIssuerNamesTokenIssuer(string? issuer)
    {
        var options = Valid();
        options.Issuer = issuer;

        var result = Validate(options);

        Assert.Multiple(() =>
        {
            Assert.That(result.Failed, Is.True);
            Assert.That(result.FailureMessage, Does.Contain("Token__Issuer"));
        });
    }

    [TestCase("http://login.example.com", TestName = "Validate_RefusesHttpIssuerForNonLoopbackHost")]
    [TestCase("http://localhost.example.com", TestName = "Validate_RefusesHttpIssuerForHostThatOnlyStartsWithLocalhost")]
    [TestCase("https://login.example.com?tenant=1", TestName = "Validate_RefusesIssuerWithQuery")]
    [TestCase("https://login.example.com#top", TestName = "Validate_RefusesIssuerWithFragment")]
    [TestCase("ftp://login.example.com", TestName = "Validate_RefusesNonHttpIssuer")]
    [TestCase("login.example.com", TestName = "Validate_RefusesIssuerWithoutScheme")]
    [TestCase("/issuer", TestName = "Validate_RefusesRelativeIssuer")]
    public void Validate_RefusesUntrustworthyIssuerNamingTokenIssuer(string issuer)
    {
        var options = Valid();
        options.Issuer = issuer;

        var result = Validate(options);

        Assert.Multiple(() =>
        {
            Assert.That(result.Failed, Is.True);
            Assert.That(result.FailureMessage, Does.Contain("Token__Issuer").And.Contain(issuer));
        });
    }

    [TestCase("http://localhost:7071")]
    [TestCase("http://localhost:7071/api")]
    [TestCase("http://127.0.0.1:5000")]
    [TestCase("http://[::1]:5000")]
    public void Validate_AllowsHttpIssuerOnlyForLoopback(string issuer)
    {
        var options = Valid();
        options.Issuer = issuer;

        Assert.That(Validate(options).Succeeded, Is.True);
    }

    [TestCase("https://login.example.com")]
    [TestCase("https://login.example.com/tenant-a/")]
    public void Validate_AcceptsHttpsIssuerWithPath(string issuer)
    {
        var options = Valid();
        options.Issuer = issuer;

        Assert.That(Validate(options).Succeeded, Is.True);
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase(" ")]
    public void Validate_MissingAudienceNamesTokenAudience(string? audience)
    {
        var options = Valid();
        options.Audience = audience;

        var result = Validate(options);

        Assert.Multiple(() =>
        {
            Assert.That(result.Failed, Is.True);
            Assert.That(result.FailureMessage, Does.Contain("Token__Audience"));
        });
    }

    [TestCase(-1, false)]
    [TestCase(0, false)]
    [TestCase(59, false)]
    [TestCase(60, true)]
    [TestCase(3600, true)]
    [TestCase(86_400, true)]
    [TestCase(86_401, false)]
    public void Validate_LifetimeMustBeOneMinuteToOneDay(int seconds, bool valid)
    {
        var options = Valid();
        options.AccessTokenLifetimeSeconds = seconds;

        var result = Validate(options);

        Assert.That(result.Succeeded, Is.EqualTo(valid));
        if (!valid)
        {
            Assert.That(result.FailureMessage, Does.Contain("Token__AccessTokenLifetimeSeconds").And.Contain(seconds.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }
    }

    [Test]
    public void Validate_ReportsEveryProblemAtOnce()
    {
        var result = Validate(new TokenOptions { Issuer = null, Audience = null, AccessTokenLifetimeSeconds = 0 });

        Assert.Multiple(() =>
        {
            Assert.That(result.Failures, Has.Exactly(3).Items);
            Assert.That(result.FailureMessage, Does.Contain("Token__Issuer").And.Contain("Token__Audience").And.Contain("Token__AccessTokenLifetimeSeconds"));
        });
    }

    [TestCase(nameof(TokenOptions.RefreshTokenIdleLifetimeSeconds), 59, "Token__RefreshTokenIdleLifetimeSeconds", TestName = "Validate_RefusesRefreshIdleLifetimeUnderAMinute")]
    [TestCase(nameof(TokenOptions.RefreshTokenAbsoluteLifetimeSeconds), 31_536_001, "Token__RefreshTokenAbsoluteLifetimeSeconds", TestName = "Validate_RefusesRefreshAbsoluteLifetimeOverAYear")]
    [TestCase(nameof(TokenOptions.RefreshReuseGraceSeconds), -1, "Token__RefreshReuseGraceSeconds", TestName = "Validate_RefusesNegativeReuseGrace")]
    [TestCase(nameof(TokenOptions.RefreshReuseGraceSeconds), 301, "Token__RefreshReuseGraceSeconds", TestName = "Validate_RefusesReuseGraceOverFiveMinutes")]
    public void Validate_RefusesRefreshSettingsOutOfRangeNamingTheSetting(string property, int value, string setting)
    {
        var options = Valid();
        typeof(TokenOptions).GetProperty(property)!.SetValue(options, value);

        var result = Validate(options);

        Assert.Multiple(() =>
        {
            Assert.That(result.Failed, Is.True);
            Assert.That(result.FailureMessage, Does.Contain(setting));
        });
    }

    [Test]
    public void Defaults_GiveRefreshTokensAFortnightIdleNinetyDaysAbsoluteAndThirtySecondsGrace()
    {
        var options = new TokenOptions();

        Assert.That((options.RefreshTokenIdleLifetimeSeconds, options.RefreshTokenAbsoluteLifetimeSeconds, options.RefreshReuseGraceSeconds), Is.EqualTo((1_209_600, 7_776_000, 30)));
    }

    [TestCase("https://login.example.com/authorize", true)]
    [TestCase("http://localhost:3000/authorize", true)]
    [TestCase("http://login.example.com/authorize", false)]
    [TestCase("https://login.example.com/authorize#frag", false)]
    public void Validate_AuthorizationEndpointMustBeHttpsUnlessLoopback(string endpoint, bool valid)
    {
        var options = Valid();
        options.AuthorizationEndpoint = new Uri(endpoint);

        var result = Validate(options);

        Assert.That(result.Succeeded, Is.EqualTo(valid), result.FailureMessage);
        if (!valid)
        {
            Assert.That(result.FailureMessage, Does.Contain("Token__AuthorizationEndpoint"));
        }
    }

    [TestCase(0, TestName = "Validate_RefusesAStorageBudgetOfZero")]
    [TestCase(61, TestName = "Validate_RefusesAStorageBudgetOverAMinute")]
    public void Validate_RefusesAStorageBudgetOutOfRange_NamingTheSetting(int seconds)
    {
        var options = Valid();
        options.StorageBudgetSeconds = seconds;

        var result = Validate(options);

        Assert.That(result.FailureMessage, Does.Contain("Token__StorageBudgetSeconds"));
    }

    [TestCase(nameof(TokenOptions.CodeRetryGraceSeconds), "Token__CodeRetryGraceSeconds", TestName = "Validate_RefusesACodeRetryWindowThatA503CouldOutlast")]
    [TestCase(nameof(TokenOptions.RefreshReuseGraceSeconds), "Token__RefreshReuseGraceSeconds", TestName = "Validate_RefusesARefreshGraceThatA503CouldOutlast")]
    public void Validate_RefusesARetryWindowNotWellOverTheStorageBudget(string window, string setting)
    {
        var options = Valid();
        options.StorageBudgetSeconds = 10;
        typeof(TokenOptions).GetProperty(window)!.SetValue(options, 20);

        var result = Validate(options);

        Assert.Multiple(() =>
        {
            Assert.That(result.Failed, Is.True);
            Assert.That(result.FailureMessage, Does.Contain(setting).And.Contain("Token__StorageBudgetSeconds"));
        });
    }

    [Test]
    public void Validate_AcceptsARetryWindowOfZero_WhichTurnsTheRetryOff()
    {
        var options = Valid();
        options.CodeRetryGraceSeconds = 0;
        options.RefreshReuseGraceSeconds = 0;

        Assert.That(Validate(options).Succeeded, Is.True);
    }

    [Test]
    public void Defaults_BudgetEightSeconds_WellUnderThirtySecondRetryWindows()
    {
        var options = new TokenOptions();

        Assert.That((options.StorageBudgetSeconds, options.CodeRetryGraceSeconds, options.RefreshReuseGraceSeconds), Is.EqualTo((8, 30, 30)));
    }

    private static TokenOptions Valid() => new() { Issuer = "https://login.example.com", Audience = "https://api.example.com" };

    private static Microsoft.Extensions.Options.ValidateOptionsResult Validate(TokenOptions options) =>
        new TokenOptionsValidator().Validate(name: null, options);
}
