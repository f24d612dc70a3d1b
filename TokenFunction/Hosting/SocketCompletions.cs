using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;

namespace TokenFunction.Hosting;

/// <summary>
/// Whether socket completions run on the runtime's socket threads instead of being handed to the thread pool
/// (<c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1</c>, an environment variable the runtime reads once, so an app
/// setting on Functions). A token request waits on storage twice and on its client once; inline, each answer goes on
/// without waking a pool thread (docs/performance.md, part 5). Safe only for code that never blocks a socket thread:
/// the service is async all the way and its longest synchronous step is a local RSA signature (about 2 ms).
/// </summary>
public static class SocketCompletions
{
    public const string Variable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    public static bool Inline => Environment.GetEnvironmentVariable(Variable) == "1";

    /// <summary>
    /// Kestrel hands each request to the thread pool unless told otherwise: with inline completions it runs the request
    /// on the socket thread too, so no hop is left between a client's bytes and the storage calls. For the hosts that
    /// serve HTTP (the Functions worker's ASP.NET Core integration, the local host).
    /// </summary>
    public static IServiceCollection AddSocketCompletionScheduling(this IServiceCollection services) =>
        services.Configure<SocketTransportOptions>(sockets => sockets.UnsafePreferInlineScheduling = Inline);
}
