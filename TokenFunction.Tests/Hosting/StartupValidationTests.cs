using Microsoft.Extensions.Options;
using TokenFunction.Hosting;
using TokenFunction.Tests.Infrastructure;

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
}
