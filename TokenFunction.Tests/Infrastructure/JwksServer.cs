using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace TokenFunction.Tests.Infrastructure;

/// <summary>
/// A real HTTP server on 127.0.0.1 (random port) standing in for a client's jwks_uri: it answers with whatever
/// <see cref="Respond"/> says and counts the requests it was sent, per path, and the TCP connections it accepted.
/// </summary>
internal sealed class JwksServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, int> _requests = new(StringComparer.Ordinal);
    private volatile Func<HttpContext, Task> _respond = Status(404);
    private int _connections;

    private JwksServer()
    {
        WebApplicationBuilder builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Use(next => connection =>
        {
            Interlocked.Increment(ref _connections);
            return next(connection);
        })));
        _app = builder.Build();
        _app.Run(context =>
        {
            _requests.AddOrUpdate(context.Request.Path.Value ?? "/", 1, (_, n) => n + 1);
            return _respond(context);
        });
    }

    public int Port { get; private set; }

    /// <summary>How the server answers every request; may be changed between fetches.</summary>
    public Func<HttpContext, Task> Respond
    {
        get => _respond;
        set => _respond = value;
    }

    /// <summary>Requests served, all paths together.</summary>
    public int Requests => _requests.Values.Sum();

    /// <summary>TCP connections accepted, whatever was sent on them (a TLS handshake that fails counts too).</summary>
    public int Connections => Volatile.Read(ref _connections);

    public int RequestsTo(string path) => _requests.TryGetValue(path, out int count) ? count : 0;

    public Uri Url(string path = "/jwks") => new($"http://127.0.0.1:{Port}{path}");

    public static async Task<JwksServer> StartAsync()
    {
        var server = new JwksServer();
        await server._app.StartAsync();
        string address = server._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.Port = new Uri(address).Port;
        return server;
    }

    public static Func<HttpContext, Task> Json(string body, string contentType = "application/json") => context =>
    {
        context.Response.ContentType = contentType;
        return context.Response.WriteAsync(body, Encoding.UTF8, context.RequestAborted);
    };

    public static Func<HttpContext, Task> Status(int status) => context =>
    {
        context.Response.StatusCode = status;
        return Task.CompletedTask;
    };

    /// <summary>Sends the headers, then waits until the client hangs up (the body never comes).</summary>
    public static async Task StallUntilAbortedAsync(HttpContext context)
    {
        try
        {
            await context.Response.StartAsync(context.RequestAborted);
            // StartAsync alone leaves the headers in Kestrel's buffer.
            await context.Response.Body.FlushAsync(context.RequestAborted);
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
