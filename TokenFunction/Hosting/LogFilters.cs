using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace TokenFunction.Hosting;

/// <summary>
/// The framework's own request logging is off: its request lines carry full URLs (a credential a client wrongly put in
/// the query string would land in the log) and it writes several entries per request. The endpoints write one
/// structured entry per request instead. Registered after the configuration's rules, so for these categories they win.
/// </summary>
public static class LogFilters
{
    public static IServiceCollection AddTokenServiceLogFilters(this IServiceCollection services) =>
        services.AddLogging(logging => logging
            .AddFilter("Microsoft.AspNetCore", LogLevel.Warning)
            .AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None)
            .AddFilter("Microsoft.AspNetCore.Server.Kestrel", LogLevel.Warning)
            .AddFilter("System.Net.Http.HttpClient", LogLevel.Warning));
}
