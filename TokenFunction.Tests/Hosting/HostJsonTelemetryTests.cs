using System.Text.Json;
using TokenFunction.Tests.Infrastructure;

namespace TokenFunction.Tests.Hosting;

/// <summary>What host.json tells the Functions host about telemetry (issue 12).</summary>
public sealed class HostJsonTelemetryTests
{
    private static JsonElement HostJson()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(RepositoryRoot.Combine("host.json")));
        return document.RootElement.Clone();
    }

    [Test]
    public void TheHost_EmitsOpenTelemetry_SoItsRequestSpansAndTheWorkersShareOneTrace()
    {
        Assert.That(HostJson().GetProperty("telemetryMode").GetString(), Is.EqualTo("OpenTelemetry"));
    }

    [Test]
    public void SuccessfulRequests_AreKept_AndRequestsAreNeverSampledAway()
    {
        var logging = HostJson().GetProperty("logging");
        var levels = logging.GetProperty("logLevel");

        Assert.Multiple(() =>
        {
            // Host.Results at Error kept failed requests only; its level now comes from the default unless set.
            var results = levels.TryGetProperty("Host.Results", out var set) ? set : levels.GetProperty("default");
            Assert.That(results.GetString(), Is.EqualTo("Information").Or.EqualTo("Debug").Or.EqualTo("Trace"));
            Assert.That(logging.GetProperty("applicationInsights").GetProperty("samplingSettings").GetProperty("excludedTypes").GetString(), Does.Contain("Request"));
        });
    }

    [Test]
    public void TheWorkersLogs_AreNotExportedAgainByTheHost()
    {
        var levels = HostJson().GetProperty("logging").GetProperty("logLevel");

        Assert.Multiple(() =>
        {
            // The worker exports its own logs; the host's copies (forwarded entries, captured console) would double them.
            Assert.That(levels.GetProperty("Host.Function.Console").GetString(), Is.EqualTo("None"));
            Assert.That(levels.GetProperty("Function").GetString(), Is.EqualTo("Warning"));
        });
    }
}
