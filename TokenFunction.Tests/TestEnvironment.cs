using TokenFunction.Tests.Infrastructure;

namespace TokenFunction.Tests;

/// <summary>
/// One Azurite for the whole test run: starting it costs seconds, and tests isolate by unique ids. It starts on first
/// use, so a run of unit tests alone (the grant handlers against the in-memory stores, say) never starts it.
/// </summary>
[SetUpFixture]
public sealed class TestEnvironment
{
    private static readonly Lazy<AzuriteServer> s_azurite = new(
        () => AzuriteServer.StartAsync().GetAwaiter().GetResult(), LazyThreadSafetyMode.ExecutionAndPublication);

    public static AzuriteServer Azurite => s_azurite.Value;

    /// <summary>Whether anything in this run needed Azurite.</summary>
    public static bool AzuriteStarted => s_azurite.IsValueCreated;

    /// <summary>
    /// Azure.Core reads its ActivitySource switch once per process, at its first call: the service sets it when it
    /// exports, but a test run starts many hosts, and the first of them exports nothing. Set here, before any test, it
    /// lets the telemetry tests see Table Storage spans whatever ran before them.
    /// </summary>
    [OneTimeSetUp]
    public void EnableAzureSdkSpans() => AppContext.SetSwitch(TokenFunction.Hosting.TelemetryServiceCollectionExtensions.AzureActivitySourceSwitch, true);

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (s_azurite.IsValueCreated)
        {
            await s_azurite.Value.DisposeAsync();
        }
    }
}
