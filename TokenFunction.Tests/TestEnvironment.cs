using TokenFunction.Tests.Infrastructure;

namespace TokenFunction.Tests;

/// <summary>One Azurite for the whole test run: starting it costs seconds, and tests isolate by unique ids.</summary>
[SetUpFixture]
public sealed class TestEnvironment
{
    private static AzuriteServer? azurite;

    public static AzuriteServer Azurite => azurite ?? throw new InvalidOperationException("Azurite was not started.");

    [OneTimeSetUp]
    public async Task StartAsync() => azurite = await AzuriteServer.StartAsync();

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (azurite is not null)
        {
            await azurite.DisposeAsync();
        }
    }
}
