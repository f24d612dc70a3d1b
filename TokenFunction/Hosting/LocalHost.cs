using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry.Trace;
using TokenFunction.Functions;
using TokenFunction.Settings;

namespace TokenFunction.Hosting;

/// <summary>
/// Runs the same function classes on Kestrel, without the Functions host: for developers without Core Tools
/// (<c>tokenctl serve</c>) and for the end-to-end tests. It answers CORS itself, from <see cref="CorsOptions"/>, as the
/// platform does in Azure (where the Functions worker never sees a preflight).
/// </summary>
public static class LocalHost
{
    /// <summary>How long a browser may cache a preflight answer.</summary>
    public static readonly TimeSpan PreflightMaxAge = TimeSpan.FromHours(1);

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        // The slim builder's only provider is the console's: replaced by one that does not wake a thread per entry.
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<ILoggerProvider, BatchedConsoleLoggerProvider>();
        configure?.Invoke(builder);
        builder.Services.AddSocketCompletionScheduling();
        builder.Services.AddTokenService(builder.Configuration);
        // The server span of each request is ASP.NET Core's here (the Functions worker's in Azure).
        builder.Services.AddTokenServiceTelemetry(builder.Configuration, telemetry => telemetry.WithTracing(tracing => tracing.AddAspNetCoreInstrumentation()));
        builder.Services.AddSingleton<TokenHttpFunction>();
        builder.Services.AddSingleton<RevocationHttpFunction>();
        builder.Services.AddSingleton<JwksHttpFunction>();
        builder.Services.AddSingleton<MetadataHttpFunction>();
        builder.Services.AddCors();
        builder.Services.AddOptions<Microsoft.AspNetCore.Cors.Infrastructure.CorsOptions>()
            .Configure<IOptions<Settings.CorsOptions>>((cors, allowed) => cors.AddDefaultPolicy(policy => Allow(policy, allowed.Value)));

        var app = builder.Build();
        app.UseCors();
        app.MapMethods("/" + Routes.Token, [HttpMethods.Get, HttpMethods.Post], (HttpContext context, TokenHttpFunction function) =>
            ExecuteAsync(context, function.RunAsync(context.Request, context.RequestAborted)));
        app.MapMethods("/" + Routes.Revocation, [HttpMethods.Get, HttpMethods.Post], (HttpContext context, RevocationHttpFunction function) =>
            ExecuteAsync(context, function.RunAsync(context.Request, context.RequestAborted)));
        app.MapGet("/" + Routes.Jwks, (HttpContext context, JwksHttpFunction function) =>
            ExecuteAsync(context, function.RunAsync(context.Request, context.RequestAborted)));
        app.MapGet("/" + Routes.Metadata, (HttpContext context, MetadataHttpFunction function) =>
            ExecuteAsync(context, function.RunAsync(context.Request, context.RequestAborted)));
        return app;
    }

    // Never AllowCredentials: browser clients authenticate with the request (PKCE, client id), not cookies.
    private static void Allow(CorsPolicyBuilder policy, Settings.CorsOptions allowed) =>
        policy.WithOrigins([.. allowed.Origins()])
            .WithMethods(HttpMethods.Get, HttpMethods.Post)
            .WithHeaders("Authorization", "Content-Type", "DPoP")
            .WithExposedHeaders("DPoP-Nonce")
            .SetPreflightMaxAge(PreflightMaxAge);

    private static async Task ExecuteAsync(HttpContext context, Task<IActionResult> invocation)
    {
        var result = await invocation.ConfigureAwait(false);
        await result.ExecuteResultAsync(new ActionContext(context, context.GetRouteData(), new ActionDescriptor())).ConfigureAwait(false);
    }
}
