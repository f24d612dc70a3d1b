using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using TokenFunction.Functions;

namespace TokenFunction.Hosting;

/// <summary>
/// Runs the same function classes on Kestrel, without the Functions host: for developers without Core Tools
/// (<c>tokenctl serve</c>) and for the end-to-end tests.
/// </summary>
public static class LocalHost
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        configure?.Invoke(builder);
        builder.Services.AddTokenService(builder.Configuration);
        builder.Services.AddSingleton<TokenHttpFunction>();
        builder.Services.AddSingleton<RevocationHttpFunction>();
        builder.Services.AddSingleton<JwksHttpFunction>();
        builder.Services.AddSingleton<MetadataHttpFunction>();

        var app = builder.Build();
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

    private static async Task ExecuteAsync(HttpContext context, Task<IActionResult> invocation)
    {
        var result = await invocation.ConfigureAwait(false);
        await result.ExecuteResultAsync(new ActionContext(context, context.GetRouteData(), new ActionDescriptor())).ConfigureAwait(false);
    }
}
