using System.Diagnostics;
using Azure.Core;
using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using TokenFunction.Settings;
using TokenFunction.Telemetry;

namespace TokenFunction.Hosting;

/// <summary>
/// OpenTelemetry for every host (the Functions worker, the local host, tokenctl), configured by the standard variables
/// only: OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (the exporter reads <c>OTEL_EXPORTER_OTLP_PROTOCOL</c>,
/// <c>OTEL_METRIC_EXPORT_INTERVAL</c> and the rest itself), Azure Monitor when <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c>
/// is set (sent as the app's identity: Entra authentication, no instrumentation key). With neither, OpenTelemetry is not
/// registered at all: nothing is exported and no span or measurement is even recorded.
/// </summary>
public static class TelemetryServiceCollectionExtensions
{
    /// <summary>Azure.Core's switch for its ActivitySource-based spans (Table Storage, Key Vault); without it no exporter sees them.</summary>
    public const string AzureActivitySourceSwitch = "Azure.Experimental.EnableActivitySource";

    /// <summary>Every Azure SDK client's source (Azure.Data.Tables.TableClient, Azure.Core.Http, ...).</summary>
    public const string AzureSources = "Azure.*";

    /// <summary>Azure.Core's span of each HTTP request an Azure SDK client sends.</summary>
    private const string AzureHttpSource = "Azure.Core.Http";

    /// <summary>
    /// Whether the HTTP request being sent is an Azure SDK client's: Azure.Core's own span already describes it (a
    /// dependency in Application Insights); a second span from the HttpClient instrumentation would count it twice.
    /// The other HttpClient calls (client JWKS downloads) keep their spans.
    /// </summary>
    private static bool IsAzureSdkRequest()
    {
        var current = Activity.Current;
        return current?.Source.Name == AzureHttpSource || current?.Parent?.Source.Name == AzureHttpSource;
    }

    /// <param name="host">The host's own instrumentation (the worker's defaults, ASP.NET Core's server spans).</param>
    /// <returns>Whether telemetry is exported (an exporter is configured).</returns>
    public static bool AddTokenServiceTelemetry(this IServiceCollection services, IConfiguration configuration, Action<OpenTelemetryBuilder>? host = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var otlp = !string.IsNullOrWhiteSpace(configuration[SettingNames.OtlpEndpoint]);
        var azureMonitor = !string.IsNullOrWhiteSpace(configuration[SettingNames.ApplicationInsightsConnectionString]);
        if (!otlp && !azureMonitor)
        {
            return false;
        }

        // Read once by Azure.Core, at its first span: set before any client is built.
        AppContext.SetSwitch(AzureActivitySourceSwitch, true);

        var serviceName = configuration[SettingNames.OtelServiceName] is { Length: > 0 } name ? name : TelemetryNames.DefaultServiceName;
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName))
            .WithTracing(tracing => tracing
                .AddSource(TelemetryNames.Source, AzureSources)
                .AddHttpClientInstrumentation(http => http.FilterHttpRequestMessage = _ => !IsAzureSdkRequest()))
            .WithMetrics(metrics => metrics.AddMeter(TelemetryNames.Source))
            .WithLogging();
        host?.Invoke(telemetry);

        if (otlp)
        {
            telemetry.UseOtlpExporter();
        }

        if (azureMonitor)
        {
            // The exporter reads the connection string from the configuration itself; it sends as the app's identity
            // (Identity__ManagedIdentityClientId), the credential storage and Key Vault use. Its trace sampling (rate
            // limited by default; OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG change it) must not reach the logs:
            // the audit events are a trail, kept whole whether or not their request's trace was sampled.
            telemetry.UseAzureMonitorExporter();
            services.AddOptions<AzureMonitorExporterOptions>().Configure<TokenCredential>((options, credential) =>
            {
                options.Credential = credential;
                options.EnableTraceBasedLogsSampler = false;
            });
        }

        return true;
    }
}
