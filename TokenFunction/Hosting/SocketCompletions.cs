using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;

namespace TokenFunction.Hosting;

/// <summary>
/// The operator's opt-in to socket completions on the runtime's socket threads instead of the thread pool
/// (<c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1</c>, an environment variable the runtime reads once: an app setting
/// on Functions; docs/deploy.md). Off by default: a socket thread that blocks stalls every connection it serves, and a
/// synchronous telemetry flush at shutdown can land on one (docs/performance.md, part 5).
/// </summary>
public static class SocketCompletions
{
    public const string Variable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    public static bool Inline => Environment.GetEnvironmentVariable(Variable) == "1";

    /// <summary>
    /// With the opt-in, Kestrel runs each request on the socket thread that read it too, so no hand-off is left between
    /// a client's bytes and the storage calls. For the hosts that serve HTTP (the Functions worker's ASP.NET Core
    /// integration, the local host).
    /// </summary>
    public static IServiceCollection AddSocketCompletionScheduling(this IServiceCollection services) =>
        services.Configure<SocketTransportOptions>(sockets => sockets.UnsafePreferInlineScheduling = Inline);
}
