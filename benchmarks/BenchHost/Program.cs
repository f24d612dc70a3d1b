using BenchHost;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using TokenFunction.Functions;
using TokenFunction.Hosting;

// BENCH-ONLY host: the service's local Kestrel host (the same LocalHost that `tokenctl serve` runs: the same function
// classes, services and log filters, console logging at the default level), plus three things for scripts/bench:
// GET /bench/counters reports how many Table Storage requests the token requests made (StorageRequestCounter);
// BENCH_EXIT_AFTER_FIRST_TOKEN=1 stops the host once it has served its first token, so that a whole-process timer
// (/usr/bin/time -v) can time a cold start from outside; and BENCH_STORE=memory keeps the grants in memory, the peer's
// terms (InMemoryGrants). They live here, not in the service, so production is unchanged. Settings are the service's
// environment variables; BENCH_URL is where to listen (http://127.0.0.1:PORT).
var url = Environment.GetEnvironmentVariable("BENCH_URL") ?? throw new InvalidOperationException("BENCH_URL is required (http://127.0.0.1:PORT)");
var exitAfterFirstToken = Environment.GetEnvironmentVariable("BENCH_EXIT_AFTER_FIRST_TOKEN") == "1";
var grantsInMemory = InMemoryGrants.Enabled;
using var counter = new StorageRequestCounter();
var app = LocalHost.Build(args, builder =>
{
    builder.WebHost.UseUrls(url);
    if (grantsInMemory)
    {
        InMemoryGrants.Register(builder.Services);
    }
});
var tokenPath = "/" + Routes.Token;
app.Use(async (context, next) =>
{
    if (!context.Request.Path.Equals(tokenPath, StringComparison.Ordinal))
    {
        await next(context).ConfigureAwait(false);
        return;
    }

    await counter.TrackAsync(() => next(context)).ConfigureAwait(false);
    if (exitAfterFirstToken && context.Response.StatusCode == StatusCodes.Status200OK)
    {
        context.Response.OnCompleted(() =>
        {
            app.Lifetime.StopApplication();
            return Task.CompletedTask;
        });
    }
});
app.MapGet("/bench/counters", () => Results.Json(counter.Read()));
if (grantsInMemory)
{
    InMemoryGrants.MapMinting(app);
}

await app.RunAsync().ConfigureAwait(false);
