using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using TokenFunction.Hosting;
using TokenFunction.Settings;
using TokenFunction.Tests.Infrastructure;

namespace TokenFunction.Tests.Hosting;

/// <summary>Telemetry is configured by the standard variables alone; without an endpoint nothing is registered to export.</summary>
public sealed class TelemetryRegistrationTests
{
    [Test]
    public async Task WithNeitherAnOtlpEndpointNorAConnectionString_TheLocalHostRegistersNoTelemetryProvider()
    {
        // Empty values override whatever the developer's shell exports.
        await using var host = await ServiceHost.StartAsync(new Dictionary<string, string?>
        {
            [SettingNames.OtlpEndpoint] = string.Empty,
            [SettingNames.ApplicationInsightsConnectionString] = string.Empty,
        });

        Assert.Multiple(() =>
        {
            Assert.That(host.Services.GetService<TracerProvider>(), Is.Null);
            Assert.That(host.Services.GetService<MeterProvider>(), Is.Null);
            Assert.That(host.Services.GetService<LoggerProvider>(), Is.Null);
        });
    }

    [Test]
    public void WithoutAnEndpoint_NothingIsRegistered()
    {
        var services = new ServiceCollection();

        var exporting = services.AddTokenServiceTelemetry(new ConfigurationBuilder().Build());

        Assert.Multiple(() =>
        {
            Assert.That(exporting, Is.False);
            Assert.That(services, Is.Empty);
        });
    }

    [Test]
    public void WithAnOtlpEndpoint_TracesMetricsAndLogsAreExported()
    {
        var services = new ServiceCollection().AddLogging();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [SettingNames.OtlpEndpoint] = "http://127.0.0.1:4317",
        }).Build();

        var exporting = services.AddSingleton<IConfiguration>(configuration).AddTokenServiceTelemetry(configuration);

        using var provider = services.BuildServiceProvider();
        Assert.Multiple(() =>
        {
            Assert.That(exporting, Is.True);
            Assert.That(provider.GetService<TracerProvider>(), Is.Not.Null);
            Assert.That(provider.GetService<MeterProvider>(), Is.Not.Null);
            Assert.That(provider.GetService<LoggerProvider>(), Is.Not.Null);
        });
    }

    [Test]
    public void WithAConnectionString_AzureMonitorSendsAsTheAppsIdentity_AndKeepsEveryLog()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [SettingNames.ApplicationInsightsConnectionString] = "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://example.invalid/",
            [SettingNames.ConfigurationKey(SettingNames.IdentityManagedIdentityClientId)] = "11111111-1111-1111-1111-111111111111",
        }).Build();
        var services = new ServiceCollection().AddLogging().AddSingleton<IConfiguration>(configuration).AddTokenStorage(configuration);

        var exporting = services.AddTokenServiceTelemetry(configuration);

        using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<Azure.Monitor.OpenTelemetry.Exporter.AzureMonitorExporterOptions>>().Value;
        Assert.Multiple(() =>
        {
            Assert.That(exporting, Is.True);
            Assert.That(options.ConnectionString, Is.EqualTo(configuration[SettingNames.ApplicationInsightsConnectionString]));
            Assert.That(options.Credential, Is.SameAs(provider.GetRequiredService<Azure.Core.TokenCredential>()), "the managed identity storage and Key Vault use");
            Assert.That(options.EnableTraceBasedLogsSampler, Is.False, "trace sampling never drops an audit event");
        });
    }
}
