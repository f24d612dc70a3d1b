using BenchHost;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using TokenFunction.Functions;
using TokenFunction.Hosting;

// BENCH-ONLY host: the service's local Kestrel host (the same LocalHost that `tokenctl serve` runs: the same function
// classes, services and log filters, console logging at the default level), plus one thing for scripts/bench:
// GET /bench/counters reports how many Table Storage requests the token requests made (StorageRequestCounter). The
// counting lives here, not in the service, so production is unchanged. Settings are the service's environment
// variables; BENCH_URL is where to listen (http://127.0.0.1:PORT).
var url = Environment.GetEnvironmentVariable("BENCH_URL") ?? throw new InvalidOperationException("BENCH_URL is required (http://127.0.0.1:PORT)");
using var counter = new StorageRequestCounter();
var app = LocalHost.Build(args, builder => builder.WebHost.UseUrls(url));
var tokenPath = "/" + Routes.Token;
app.Use((context, next) => context.Request.Path.Equals(tokenPath, StringComparison.Ordinal) ? counter.TrackAsync(() => next(context)) : next(context));
app.MapGet("/bench/counters", () => Results.Json(counter.Read()));
await app.RunAsync().ConfigureAwait(false);
