using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TokenFunction.Hosting;
using TokenFunction.Tests.Infrastructure;
using TokenFunction.Settings;

namespace TokenFunction.Tests.Hosting;

/// <summary>Bad settings stop the service at start-up with a message that names the setting to fix.</summary>
public sealed class StartupValidationTests
{
    [Test]
    public async Task MissingIssuer_StopsStartupNamingTheSetting()
    {
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAndStopAsync(new Dictionary<string, string?> { [SettingNames.TokenIssuer] = string.Empty }));

        Assert.That(failure!.Message, Does.Contain("Token__Issuer"));
    }

    [Test]
    public async Task NonHttpsIssuer_StopsStartupNamingTheSetting()
    {
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAndStopAsync(new Dictionary<string, string?> { [SettingNames.TokenIssuer] = "http://tokens.example.com" }));

        Assert.That(failure!.Message, Does.Contain("Token__Issuer").And.Contain("https"));
    }

    [Test]
    public async Task BothStorageSettings_StopStartupNamingBoth()
    {
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAndStopAsync(new Dictionary<string, string?> { [SettingNames.TablesServiceUri] = "https://account.table.core.windows.net" }));

        Assert.That(failure!.Message, Does.Contain("Tables__ServiceUri").And.Contain("Tables__ConnectionString"));
    }

    [Test]
    public async Task WildcardCorsOrigin_StopsStartupNamingTheSetting()
    {
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAndStopAsync(new Dictionary<string, string?> { [SettingNames.CorsAllowedOrigins] = "*" }));

        Assert.That(failure!.Message, Does.Contain("Cors__AllowedOrigins"));
    }

    [Test]
    public async Task DpopNoncesWithoutAKey_StopStartupNamingTheKeySetting()
    {
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAndStopAsync(new Dictionary<string, string?> { [SettingNames.DpopRequireNonce] = "true" }));

        Assert.That(failure!.Message, Does.Contain("Dpop__NonceKey"));
    }

    [Test]
    public async Task AnHmacDpopAlgorithm_StopsStartupNamingTheSetting()
    {
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAndStopAsync(new Dictionary<string, string?> { [SettingNames.DpopSigningAlgorithms] = "ES256,HS256" }));

        Assert.That(failure!.Message, Does.Contain("Dpop__SigningAlgorithms").And.Contain("HS256"));
    }

    private static async Task StartAndStopAsync(Dictionary<string, string?> settings)
    {
        var host = await ServiceHost.StartAsync(settings);
        await host.DisposeAsync();
    }

    [Test]
    public void LocalSettingsSample_SetsEverySettingTheServiceNeedsLocally()
    {
        using var document = System.Text.Json.JsonDocument.Parse(File.ReadAllText(RepositoryRoot.Combine("local.settings.sample.json")));
        var values = document.RootElement.GetProperty("Values");

        Assert.Multiple(() =>
        {
            Assert.That(values.GetProperty("FUNCTIONS_WORKER_RUNTIME").GetString(), Is.EqualTo("dotnet-isolated"));
            foreach (var name in new[] { SettingNames.TokenIssuer, SettingNames.TokenAudience, SettingNames.TablesConnectionString, SettingNames.SigningLocalKeyPath })
            {
                Assert.That(values.TryGetProperty(name, out _), Is.True, $"{name} is in local.settings.sample.json");
            }

            Assert.That(document.RootElement.GetProperty("Host").GetProperty("LocalHttpPort").GetInt32(), Is.EqualTo(8080));
        });
    }

    [Test]
    public void LocalSettingsSample_ListsEverySettingOfTheApp()
    {
        using var document = System.Text.Json.JsonDocument.Parse(File.ReadAllText(RepositoryRoot.Combine("local.settings.sample.json")));
        var names = document.RootElement.GetProperty("Values").EnumerateObject().Select(p => p.Name).ToList();

        Assert.That(names, Is.SupersetOf(SettingNames.All), "add the new setting to local.settings.sample.json with its default");
    }

    [Test]
    public void LocalSettingsSample_BindsAndPassesEveryValidator()
    {
        using var document = System.Text.Json.JsonDocument.Parse(File.ReadAllText(RepositoryRoot.Combine("local.settings.sample.json")));
        var values = document.RootElement.GetProperty("Values").EnumerateObject()
            .ToDictionary(p => SettingNames.ConfigurationKey(p.Name), p => (string?)p.Value.GetString());
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection().AddLogging().AddTokenService(configuration);
        using var provider = services.BuildServiceProvider();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Value<TokenOptions>(provider).Issuer, Is.EqualTo("http://localhost:8080"));
            Assert.That(Value<TokenOptions>(provider).AuthorizationEndpoint, Is.Null, "an empty setting is unset");
            Assert.That(Value<TablesOptions>(provider).ServiceUri, Is.Null);
            Assert.That(Value<SigningOptions>(provider).KeyVaultKeyId, Is.Null);
            Assert.That(Value<ClientJwksOptions>(provider).CacheSeconds, Is.EqualTo(new ClientJwksOptions().CacheSeconds));
            Assert.That(Value<CorsOptions>(provider).Origins(), Is.EqualTo(new[] { "http://localhost:3000" }));
            Assert.That(Value<DpopOptions>(provider).Algorithms(), Is.EqualTo(new DpopOptions().Algorithms()));
            Assert.That(Value<DpopOptions>(provider).RequireNonce, Is.False);
            Assert.That(document.RootElement.GetProperty("Host").GetProperty("CORS").GetString(), Is.EqualTo(values[SettingNames.ConfigurationKey(SettingNames.CorsAllowedOrigins)]),
                "func start answers CORS from Host.CORS: the same origins");
        }
    }

    private static T Value<T>(IServiceProvider provider)
        where T : class =>
        provider.GetRequiredService<IOptions<T>>().Value;
}
