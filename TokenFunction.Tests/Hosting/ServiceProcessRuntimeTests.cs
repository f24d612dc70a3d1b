using System.Text.Json;
using TokenFunction.Tests.Infrastructure;

namespace TokenFunction.Tests.Hosting;

/// <summary>
/// The runtime settings the token-serving processes start with (TokenFunction/ServiceProcess.props), as the runtime reads
/// them: from each built app's runtimeconfig.json.
/// </summary>
public sealed class ServiceProcessRuntimeTests
{
    private const long HeapHardLimit = 128L * 1024 * 1024;

    [TestCase("TokenFunction", "TokenFunction")]
    [TestCase("TokenCtl", "tokenctl")]
    public void EveryTokenServingProcess_CapsItsManagedHeap_SoItsWorkingSetDoesNotFollowTheCpusCache(string project, string app)
    {
        var property = ConfigProperty(project, app, "System.GC.HeapHardLimit");

        Assert.That(property.GetInt64(), Is.EqualTo(HeapHardLimit));
    }

    [TestCase("TokenFunction", "TokenFunction")]
    [TestCase("TokenCtl", "tokenctl")]
    public void EveryTokenServingProcess_LetsIdleThreadPoolWorkersBlockWithoutSpinning(string project, string app)
    {
        var property = ConfigProperty(project, app, "System.Threading.ThreadPool.UnfairSemaphoreSpinLimit");

        Assert.That(property.GetInt32(), Is.Zero);
    }

    private static JsonElement ConfigProperty(string project, string app, string name)
    {
        var path = RepositoryRoot.Combine(project, "bin", RepositoryRoot.Configuration, "net10.0", app + ".runtimeconfig.json");
        using var config = JsonDocument.Parse(File.ReadAllText(path));
        var properties = config.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");
        Assert.That(properties.TryGetProperty(name, out var value), Is.True, $"{path} sets {name}");
        return value.Clone();
    }
}
