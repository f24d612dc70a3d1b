using System.Globalization;
using Microsoft.Diagnostics.Tracing.Etlx;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

// Reads a nettrace taken with `dotnet-trace collect --profile gc-verbose` (the runtime's allocation sampling: one
// AllocationTick event about every 100 KB allocated, with the type and the stack) and prints the sampled bytes by area
// (the nearest frame of a known library), by type and by allocating site (the nearest frame outside the base library).
// Usage: AllocationSites TRACE.nettrace
if (args.Length != 1)
{
    Console.Error.WriteLine("usage: AllocationSites TRACE.nettrace");
    return 2;
}

var areas = new (string Prefix, string Name)[]
{
    ("TokenFunction!TokenFunction.Signing", "signing"),
    ("Azure.Data.Tables!", "Azure.Data.Tables"),
    ("Azure.Core!", "Azure.Core"),
    ("System.Net.Http!", "HttpClient"),
    ("Microsoft.AspNetCore.Server.Kestrel", "Kestrel"),
    ("Microsoft.Extensions.Logging", "logging"),
    ("System.Text.Json!", "JSON"),
    ("TokenFunction!", "our code"),
    ("Microsoft.AspNetCore", "ASP.NET Core"),
};
string[] baseLibrary = ["System.Private.CoreLib!", "System.Collections", "System.Linq!", "System.Memory!", "System.Runtime", "?"];

using var log = new TraceLog(TraceLog.CreateFromEventPipeDataFile(args[0]));
var byArea = new Dictionary<string, double>(StringComparer.Ordinal);
var byType = new Dictionary<string, double>(StringComparer.Ordinal);
var bySite = new Dictionary<string, double>(StringComparer.Ordinal);
double total = 0;
foreach (var data in log.Events)
{
    if (data is not GCAllocationTickTraceData tick)
    {
        continue;
    }

    var frames = new List<string>();
    for (var frame = data.CallStack(); frame is not null; frame = frame.Caller)
    {
        frames.Add(frame.CodeAddress.ModuleName + "!" + frame.CodeAddress.FullMethodName);
    }

    var amount = (double)tick.AllocationAmount64;
    total += amount;
    Add(byType, tick.TypeName, amount);
    Add(byArea, frames.Select(f => areas.FirstOrDefault(a => f.StartsWith(a.Prefix, StringComparison.Ordinal)).Name).FirstOrDefault(n => n is not null) ?? "other", amount);
    Add(bySite, frames.FirstOrDefault(f => !baseLibrary.Any(b => f.StartsWith(b, StringComparison.Ordinal)) && !f.EndsWith('!')) ?? "?", amount);
}

Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"sampled allocations: {total / 1e6:F1} MB"));
Print("by area (nearest frame of a known library)", byArea, 12);
Print("by type", byType, 15);
Print("by allocating site (nearest frame outside the base library)", bySite, 25);
return 0;

static void Add(Dictionary<string, double> totals, string key, double amount) => totals[key] = totals.GetValueOrDefault(key) + amount;

void Print(string title, Dictionary<string, double> totals, int count)
{
    Console.WriteLine($"\n== {title}");
    foreach (var (key, value) in totals.OrderByDescending(p => p.Value).Take(count))
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{value * 100 / total,6:F1}%  {(key.Length > 160 ? key[..160] : key)}"));
    }
}
