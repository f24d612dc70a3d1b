using System.Text.Json;
using TokenFunction.Functions;
using TokenFunction.Tests.Infrastructure;

namespace TokenFunction.Tests.Hosting;

/// <summary>What the Functions host will route, read from the build's functions.metadata, as `func start` and Azure read it.</summary>
public sealed class FunctionsMetadataTests
{
    private static readonly string MetadataPath = RepositoryRoot.Combine("TokenFunction", "bin", RepositoryRoot.Configuration, "net10.0", "functions.metadata");

    [TestCase(TokenHttpFunction.Name, Routes.Token, new[] { "get", "post" })]
    [TestCase(RevocationHttpFunction.Name, Routes.Revocation, new[] { "get", "post" })]
    [TestCase(JwksHttpFunction.Name, Routes.Jwks, new[] { "get" })]
    [TestCase(MetadataHttpFunction.Name, Routes.Metadata, new[] { "get" })]
    public void Function_HasItsRouteMethodsAndAnonymousAuthLevel(string name, string route, string[] methods)
    {
        var trigger = Trigger(name);

        Assert.Multiple(() =>
        {
            Assert.That(trigger.GetProperty("route").GetString(), Is.EqualTo(route));
            Assert.That(trigger.GetProperty("methods").EnumerateArray().Select(m => m.GetString()), Is.EquivalentTo(methods));
            Assert.That(trigger.GetProperty("authLevel").GetString(), Is.EqualTo("Anonymous"), "a function key would collide with OAuth's code parameter");
        });
    }

    [Test]
    public void Metadata_ListsExactlyTheServicesFunctions()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(MetadataPath));
        var names = document.RootElement.EnumerateArray().Select(f => f.GetProperty("name").GetString());

        Assert.That(names, Is.EquivalentTo(new[] { TokenHttpFunction.Name, RevocationHttpFunction.Name, JwksHttpFunction.Name, MetadataHttpFunction.Name, PurgeTimerFunction.Name }));
    }

    [Test]
    public void PurgeFunction_IsATimerOnItsSchedule()
    {
        Assert.That(File.Exists(MetadataPath), Is.True, $"{MetadataPath} is written by the function app's build");
        using var document = JsonDocument.Parse(File.ReadAllText(MetadataPath));
        var function = document.RootElement.EnumerateArray().Single(f => f.GetProperty("name").GetString() == PurgeTimerFunction.Name);
        var trigger = function.GetProperty("bindings").EnumerateArray().Single(b => b.GetProperty("type").GetString() == "timerTrigger");

        Assert.That(trigger.GetProperty("schedule").GetString(), Is.EqualTo(PurgeTimerFunction.Schedule));
    }

    [Test]
    public void HostJson_UsesAnEmptyRoutePrefixSoWellKnownDocumentsSitAtTheRoot()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(RepositoryRoot.Combine("host.json")));

        Assert.That(document.RootElement.GetProperty("extensions").GetProperty("http").GetProperty("routePrefix").GetString(), Is.Empty);
    }

    private static JsonElement Trigger(string functionName)
    {
        Assert.That(File.Exists(MetadataPath), Is.True, $"{MetadataPath} is written by the function app's build");
        using var document = JsonDocument.Parse(File.ReadAllText(MetadataPath));
        var function = document.RootElement.EnumerateArray().Single(f => f.GetProperty("name").GetString() == functionName);
        return function.GetProperty("bindings").EnumerateArray().Single(b => b.GetProperty("type").GetString() == "httpTrigger").Clone();
    }
}
