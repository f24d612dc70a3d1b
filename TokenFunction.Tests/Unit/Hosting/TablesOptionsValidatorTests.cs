using TokenFunction.Hosting;
using TokenFunction.Settings;

namespace TokenFunction.Tests.Unit.Hosting;

public class TablesOptionsValidatorTests
{
    [Test]
    public void Validate_AcceptsHttpsServiceUri()
    {
        var result = Validate(new TablesOptions { ServiceUri = new Uri("https://myaccount.table.core.windows.net") });

        Assert.That(result.Succeeded, Is.True, result.FailureMessage);
    }

    [Test]
    public void Validate_AcceptsConnectionString()
    {
        var result = Validate(new TablesOptions { ConnectionString = TablesOptions.DevelopmentStorage });

        Assert.That(result.Succeeded, Is.True, result.FailureMessage);
    }

    [Test]
    public void Validate_RefusesBothServiceUriAndConnectionStringNamingBoth()
    {
        var result = Validate(new TablesOptions
        {
            ServiceUri = new Uri("https://myaccount.table.core.windows.net"),
            ConnectionString = TablesOptions.DevelopmentStorage,
        });

        Assert.Multiple(() =>
        {
            Assert.That(result.Failed, Is.True);
            Assert.That(result.FailureMessage, Does.Contain("Tables__ServiceUri").And.Contain("Tables__ConnectionString"));
        });
    }

    [Test]
    public void Validate_IgnoresWhitespaceConnectionStringNextToServiceUri()
    {
        var result = Validate(new TablesOptions { ServiceUri = new Uri("https://myaccount.table.core.windows.net"), ConnectionString = "  " });

        Assert.That(result.Succeeded, Is.True, result.FailureMessage);
    }

    [TestCase("http://myaccount.table.core.windows.net", TestName = "Validate_RefusesHttpServiceUri")]
    [TestCase("ftp://myaccount.table.core.windows.net", TestName = "Validate_RefusesNonHttpServiceUri")]
    public void Validate_RefusesServiceUriThatIsNotHttpsNamingIt(string uri)
    {
        var result = Validate(new TablesOptions { ServiceUri = new Uri(uri) });

        Assert.Multiple(() =>
        {
            Assert.That(result.Failed, Is.True);
            Assert.That(result.FailureMessage, Does.Contain("Tables__ServiceUri").And.Contain(uri));
        });
    }

    [Test]
    public void Validate_RefusesRelativeServiceUri()
    {
        var result = Validate(new TablesOptions { ServiceUri = new Uri("myaccount", UriKind.Relative) });

        Assert.Multiple(() =>
        {
            Assert.That(result.Failed, Is.True);
            Assert.That(result.FailureMessage, Does.Contain("Tables__ServiceUri"));
        });
    }

    [Test]
    public void Validate_AcceptsNoStorageSettingsOutsideAzure()
    {
        var result = WithInstanceId(null, () => Validate(new TablesOptions()));

        Assert.That(result.Succeeded, Is.True, result.FailureMessage);
    }

    [TestCase(null)]
    [TestCase(" ")]
    [TestCase("UseDevelopmentStorage=true")]
    public void Validate_RefusesNoStorageSettingsInAzureNamingServiceUri(string? connectionString)
    {
        var result = WithInstanceId("0123456789abcdef", () => Validate(new TablesOptions { ConnectionString = connectionString }));

        Assert.Multiple(() =>
        {
            Assert.That(result.Failed, Is.True);
            Assert.That(result.FailureMessage, Does.Contain("Tables__ServiceUri"));
        });
    }

    [Test]
    public void Validate_AcceptsServiceUriInAzure()
    {
        var result = WithInstanceId("0123456789abcdef", () => Validate(new TablesOptions { ServiceUri = new Uri("https://myaccount.table.core.windows.net") }));

        Assert.That(result.Succeeded, Is.True, result.FailureMessage);
    }

    private static Microsoft.Extensions.Options.ValidateOptionsResult Validate(TablesOptions options) =>
        new TablesOptionsValidator().Validate(name: null, options);

    /// <summary>Runs with WEBSITE_INSTANCE_ID set (or cleared) and restores it: NUnit runs these tests sequentially.</summary>
    private static T WithInstanceId<T>(string? value, Func<T> action)
    {
        var saved = Environment.GetEnvironmentVariable(AzureEnvironment.InstanceIdVariable);
        try
        {
            Environment.SetEnvironmentVariable(AzureEnvironment.InstanceIdVariable, value);
            Assert.That(AzureEnvironment.IsRunningInAzure, Is.EqualTo(!string.IsNullOrEmpty(value)));
            return action();
        }
        finally
        {
            Environment.SetEnvironmentVariable(AzureEnvironment.InstanceIdVariable, saved);
        }
    }
}
