using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TokenFunction.Clients.Assertions;
using TokenFunction.Hosting;
using TokenFunction.Settings;

namespace TokenFunction.Tests.Unit.Hosting;

/// <summary>The fetcher is part of the token service, with its settings bound from <c>ClientJwks__*</c> and validated.</summary>
public class ClientJwksRegistrationTests
{
    [Test]
    public void AddTokenService_RegistersOneFetcherBoundToTheClientJwksSection()
    {
        using var provider = Build(new() { [SettingNames.ConfigurationKey(SettingNames.ClientJwksCacheSeconds)] = "600" });

        var fetcher = provider.GetRequiredService<ClientJwksFetcher>();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(provider.GetRequiredService<ClientJwksFetcher>(), Is.SameAs(fetcher));
            Assert.That(provider.GetRequiredService<IOptions<ClientJwksOptions>>().Value.CacheSeconds, Is.EqualTo(600));
        }
    }

    [Test]
    public void AddTokenService_RefusesAnInvalidClientJwksSettingNamingIt()
    {
        using var provider = Build(new() { [SettingNames.ConfigurationKey(SettingNames.ClientJwksFetchTimeoutSeconds)] = "0" });

        var failure = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<ClientJwksFetcher>());

        Assert.That(failure.Message, Does.Contain("ClientJwks__FetchTimeoutSeconds"));
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddTokenService(configuration);
        return services.BuildServiceProvider();
    }
}
