using System.Reflection;
using TokenFunction.Protocol;

namespace TokenFunction.Tests.Architecture;

/// <summary>
/// The dependency rule of README's layout section, checked on the built assembly: every namespace uses only the layers
/// it may (nothing below uses anything above), and the core (Settings, Protocol, Clients, Grants) knows no host: no
/// ASP.NET Core, no Azure Functions, no Azure SDK.
/// </summary>
public sealed class LayeringTests
{
    /// <summary>What each layer may use besides itself; a sub-namespace belongs to the longest key it starts with.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> MayUse = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["Settings"] = [],
        ["Protocol"] = [],
        // The names, meter, source and audit events operators query by: below everything that records, above nothing
        // but Protocol (the subject hash); core, so it stays free of any host or SDK.
        ["Telemetry"] = ["Protocol"],
        ["Signing"] = ["Telemetry", "Settings", "Protocol"],
        ["Signing.KeyVault"] = ["Signing", "Telemetry", "Settings", "Protocol"],
        ["Clients"] = ["Clients.Assertions", "Settings", "Protocol"],
        ["Clients.Assertions"] = ["Clients", "Settings", "Protocol"],
        ["Grants"] = ["Clients", "Signing", "Telemetry", "Settings", "Protocol"],
        ["Storage"] = ["Grants", "Clients", "Clients.Assertions", "Telemetry", "Settings", "Protocol"],
        ["Storage.Memory"] = ["Storage", "Grants", "Clients", "Clients.Assertions", "Protocol"],
        ["Endpoints"] = ["Grants", "Clients", "Signing", "Storage", "Telemetry", "Settings", "Protocol"],
        ["Functions"] = ["Endpoints", "Storage", "Protocol"],
        ["Hosting"] = ["Functions", "Endpoints", "Storage", "Grants", "Clients", "Clients.Assertions", "Signing", "Signing.KeyVault", "Telemetry", "Settings", "Protocol"],
    };

    /// <summary>Outside namespaces the core must not touch: the HTTP host, the Functions host, the Azure SDK.</summary>
    public static readonly string[] HostNamespaces = ["Microsoft.AspNetCore", "Microsoft.Azure.Functions", "Azure"];

    private static readonly string[] s_core = ["Settings", "Protocol", "Telemetry", "Clients", "Clients.Assertions", "Grants"];

    [Test]
    public void EveryNamespace_UsesOnlyTheLayersTheRuleAllowsIt()
    {
        var violations = Violations(References(typeof(OAuthResult).Assembly));

        Assert.That(violations, Is.Empty, string.Join('\n', violations));
    }

    [Test]
    public void TheCore_KnowsNoHostAndNoAzureSdk()
    {
        var leaks = References(typeof(OAuthResult).Assembly)
            .Where(r => s_core.Contains(r.From) && HostNamespaces.Any(host => IsIn(r.Used.Namespace, host)))
            .Select(r => $"{r.From} -> {r.Used.FullName} ({r.Where})")
            .Distinct()
            .ToList();

        Assert.That(leaks, Is.Empty, string.Join('\n', leaks));
    }

    [Test]
    public void TheEndpoints_KnowNeitherMvcNorTheFunctionsHost()
    {
        var leaks = References(typeof(OAuthResult).Assembly)
            .Where(r => r.From == "Endpoints" && (IsIn(r.Used.Namespace, "Microsoft.AspNetCore.Mvc") || IsIn(r.Used.Namespace, "Microsoft.Azure.Functions")))
            .Select(r => $"{r.Used.FullName} ({r.Where})")
            .Distinct()
            .ToList();

        Assert.That(leaks, Is.Empty, string.Join('\n', leaks));
    }

    [Test]
    public void EveryNamespaceOfTheService_HasALayer()
    {
        var unassigned = typeof(OAuthResult).Assembly.GetTypes()
            .Select(t => t.Namespace)
            .Where(ns => ns is not null && ns.StartsWith("TokenFunction.", StringComparison.Ordinal))
            .Distinct()
            .Where(ns => !MayUse.ContainsKey(LayerOf(ns!)!))
            .ToList();

        Assert.That(unassigned, Is.Empty, "a new folder needs its place in the rule (MayUse) and in README's layout");
    }

    [Test]
    public void AReferenceMadeOnlyInAMethodBody_IsSeen()
    {
        var used = TypeReferences.Of(typeof(Fixture.GrantThatKnowsARoute)).Select(r => r.Used).ToList();

        Assert.That(used, Does.Contain(typeof(Functions.Routes)), "a static call inside a method body counts");
    }

    [Test]
    public void AForbiddenReference_FailsTheRule()
    {
        var references = References(typeof(OAuthResult).Assembly)
            .Append(new Reference("Grants", typeof(Functions.Routes), "a grant that reads a route"))
            .Append(new Reference("Protocol", typeof(Endpoints.OAuthResultWriter), "a result that writes itself to HTTP"));

        var violations = Violations(references);

        Assert.That(violations, Has.Exactly(1).Contains("Grants -> Functions").And.Exactly(1).Contains("Protocol -> Endpoints"));
    }

    public sealed record Reference(string From, Type Used, string Where);

    /// <summary>Every use of a TokenFunction type across namespaces, and of any outside type, by layer.</summary>
    public static IEnumerable<Reference> References(Assembly assembly) =>
        assembly.GetTypes()
            .Where(t => t.DeclaringType is null && t.Namespace is { } ns && LayerOf(ns) is { } layer && MayUse.ContainsKey(layer))
            .SelectMany(t => TypeReferences.Of(t).Select(r => new Reference(LayerOf(t.Namespace!)!, r.Used, r.Where)));

    public static List<string> Violations(IEnumerable<Reference> references) =>
        [.. references
            .Where(r => r.Used.Namespace is { } ns && LayerOf(ns) is { } to && to != r.From && !MayUse[r.From].Contains(to))
            .Select(r => $"{r.From} -> {LayerOf(r.Used.Namespace!)}: {r.Used.Name} ({r.Where})")
            .Distinct()
            .Order(StringComparer.Ordinal)];

    /// <summary>The layer of a TokenFunction namespace: the longest key of <see cref="MayUse"/> it falls under; null for others.</summary>
    public static string? LayerOf(string ns)
    {
        const string Root = "TokenFunction.";
        if (!ns.StartsWith(Root, StringComparison.Ordinal) || ns.StartsWith("TokenFunction.Tests", StringComparison.Ordinal))
        {
            return null;
        }

        var relative = ns[Root.Length..];
        return MayUse.Keys.Where(layer => IsIn(relative, layer)).OrderByDescending(layer => layer.Length).FirstOrDefault() ?? "(none: " + relative + ")";
    }

    private static bool IsIn(string? ns, string prefix) =>
        ns is not null && (ns == prefix || ns.StartsWith(prefix + ".", StringComparison.Ordinal));
}
