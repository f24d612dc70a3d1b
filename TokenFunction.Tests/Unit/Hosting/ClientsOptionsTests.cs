using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TokenFunction.Clients;
using TokenFunction.Hosting;
using TokenFunction.Settings;
using TokenFunction.Storage;

namespace TokenFunction.Tests.Unit.Hosting;

/// <summary><c>Clients__CacheSeconds</c>: validated, and what the token service reads registrations through.</summary>
public class ClientsOptionsTests
{
    [Test]
    public void Default_ThirtySeconds_IsValid()
    {
        var options = new ClientsOptions();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(options.CacheSeconds, Is.EqualTo(30));
            Assert.That(new ClientsOptionsValidator().Validate(null, options).Succeeded, Is.True);
        }
    }

    [TestCase(-1, TestName = "Validate_RefusesANegativeCacheTime")]
    [TestCase(301, TestName = "Validate_RefusesACacheTimeOverFiveMinutes")]
    public void Validate_RefusesOutOfRangeValues_NamingTheSetting(int seconds)
    {
        var result = new ClientsOptionsValidator().Validate(null, new ClientsOptions { CacheSeconds = seconds });

        Assert.That(result.FailureMessage, Does.Contain("Clients__CacheSeconds"));
    }

    [Test]
    public void TheTokenService_ReadsRegistrationsThroughTheCache_ByDefault()
    {
        using var provider = Build([]);

        Assert.That(provider.GetRequiredService<IClientLookup>(), Is.InstanceOf<CachingClientLookup>());
    }

    [Test]
    public void TheTokenService_ReadsTheStoreDirectly_WhenTheCacheIsOff()
    {
        using var provider = Build(new() { [SettingNames.ConfigurationKey(SettingNames.ClientsCacheSeconds)] = "0" });

        Assert.That(provider.GetRequiredService<IClientLookup>(), Is.SameAs(provider.GetRequiredService<ClientStore>()));
    }

    [Test]
    public void StorageAlone_AsTokenctlUsesIt_ReadsTheStoreDirectly()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([]).Build();
        using var provider = new ServiceCollection().AddLogging().AddTokenStorage(configuration).BuildServiceProvider();

        Assert.That(provider.GetRequiredService<IClientLookup>(), Is.SameAs(provider.GetRequiredService<ClientStore>()));
    }

    [Test]
    public void TheTokenService_RefusesAnInvalidCacheSettingNamingIt()
    {
        using var provider = Build(new() { [SettingNames.ConfigurationKey(SettingNames.ClientsCacheSeconds)] = "-5" });

        var failure = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IClientLookup>());

        Assert.That(failure.Message, Does.Contain("Clients__CacheSeconds"));
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddLogging().AddTokenService(configuration).BuildServiceProvider();
    }
}
