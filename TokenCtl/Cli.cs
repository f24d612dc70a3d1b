using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using TokenFunction.Clients;
using TokenFunction.Grants;
using TokenFunction.Hosting;
using TokenFunction.Protocol;
using TokenFunction.Storage;
using TokenFunction.Settings;
using TokenFunction.Telemetry;

namespace TokenCtl;

/// <summary>The operator CLI. It reads the same settings (environment variables) as the function app.</summary>
public static partial class Cli
{
    public const string Usage = """
        usage: tokenctl serve [--port 8080]
               tokenctl client add --id ID (--secret S | --generate-secret | --jwks FILE | --jwks-uri URI | --public)
                   [--redirect-uri URI...] [--scope "a b"] [--resource URI...] [--allow-plain-pkce] [--replace]
                   [--grant authorization_code|refresh_token|client_credentials ...]
                   [--no-refresh-token | [--refresh-idle-lifetime S] [--refresh-absolute-lifetime S]]
               tokenctl client remove --id ID
               tokenctl code issue --client ID --redirect-uri URI [--code-challenge C [--code-challenge-method S256|plain]] --subject SUB [--scope "a b"] [--resource URI...] [--lifetime SECONDS] [--count N]
               tokenctl grant revoke (--subject SUB | --client ID)
               tokenctl purge [--batch-size N] [--max-batches N]
               tokenctl pkce
        """;

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        try
        {
            return args switch
            {
                ["serve", .. var rest] => await ServeAsync(new Arguments(rest, new HashSet<string>()), cancellationToken).ConfigureAwait(false),
                ["client", "add", .. var rest] => await WithStorageAsync(
                    services => ClientCommands.AddAsync(new Arguments(rest, ClientCommands.Flags), services.GetRequiredService<IClientRegistry>(), services.GetRequiredService<IOptions<ClientJwksOptions>>().Value, services.GetRequiredService<AuditLog>(), output, cancellationToken)).ConfigureAwait(false),
                ["client", "remove", .. var rest] => await WithStorageAsync(
                    services => ClientCommands.RemoveAsync(new Arguments(rest, new HashSet<string>()), services.GetRequiredService<IClientRegistry>(), services.GetRequiredService<GrantMaintenance>(), services.GetRequiredService<AuditLog>(), output, cancellationToken)).ConfigureAwait(false),
                ["code", "issue", .. var rest] => await WithStorageAsync(
                    services => CodeCommands.IssueAsync(new Arguments(rest, CodeCommands.Flags), services.GetRequiredService<IClientLookup>(), services.GetRequiredService<IAuthorizationCodeIssuer>(), output, cancellationToken)).ConfigureAwait(false),
                ["grant", "revoke", .. var rest] => await WithStorageAsync(
                    services => GrantCommands.RevokeAsync(new Arguments(rest, GrantCommands.Flags), services.GetRequiredService<GrantMaintenance>(), output, cancellationToken)).ConfigureAwait(false),
                ["purge", .. var rest] => await WithStorageAsync(
                    services => GrantCommands.PurgeAsync(new Arguments(rest, GrantCommands.Flags), services.GetRequiredService<GrantMaintenance>(), output, cancellationToken)).ConfigureAwait(false),
                ["pkce"] => await PrintPkceAsync(output).ConfigureAwait(false),
                ["help"] or ["--help"] => await PrintUsageAsync(output).ConfigureAwait(false),
                [] => throw new UsageException("no command; run 'tokenctl help' for the commands"),
                [var command, ..] => throw new UsageException($"unknown command '{command}'; run 'tokenctl help' for the commands"),
            };
        }
        catch (UsageException e)
        {
            await error.WriteLineAsync("tokenctl: " + e.Message).ConfigureAwait(false);
            return 2;
        }
        catch (OptionsValidationException e)
        {
            await error.WriteLineAsync("tokenctl: " + string.Join(" ", e.Failures)).ConfigureAwait(false);
            return 1;
        }
        catch (InvalidOperationException e) when (e.InnerException is FormatException or OverflowException or ArgumentException)
        {
            // The configuration binder names the setting with ':' (ClientJwks:AllowLoopback); operators set it as ClientJwks__AllowLoopback.
            var message = ConfigurationKey().Replace(e.Message, m => m.Value.Replace(":", "__", StringComparison.Ordinal));
            await error.WriteLineAsync($"tokenctl: {message} Fix that setting's value.").ConfigureAwait(false);
            return 1;
        }
        catch (Exception e) when (StorageFaults.TryDescribeRefusal(e, out var status, out var errorCode))
        {
            await error.WriteLineAsync($"tokenctl: table storage refused the request ({status} {errorCode}).").ConfigureAwait(false);
            return 1;
        }
        catch (Exception e) when (StorageFaults.IsStorageFailure(e) || e is HttpRequestException or AggregateException or IOException)
        {
            await error.WriteLineAsync($"tokenctl: table storage did not answer; is Azurite running? ({e.GetType().Name})").ConfigureAwait(false);
            return 1;
        }
    }

    private static async Task<int> WithStorageAsync(Func<IServiceProvider, Task<int>> command)
    {
        var configuration = new ConfigurationBuilder().AddEnvironmentVariables().Build();
        var collection = new ServiceCollection()
            .AddLogging()
            .AddTokenStorage(configuration)
            .AddClientJwksOptions(configuration);
        // The operator's actions (client registered or removed, grants revoked) are audit events: exported as the
        // app's are, when an exporter is configured; disposing the provider flushes them.
        collection.AddTokenServiceTelemetry(configuration);
        await using var services = collection.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
        _ = services.GetRequiredService<IOptions<TablesOptions>>().Value;
        _ = services.GetService<TracerProvider>();
        _ = services.GetService<MeterProvider>();
        return await command(services).ConfigureAwait(false);
    }

    private static async Task<int> ServeAsync(Arguments args, CancellationToken cancellationToken)
    {
        var port = args.OptionalInt("--port") ?? 8080;
        args.EnsureAllUsed();
        // Disposed at the end: disposal flushes the telemetry exporters and writes the console log's last batch.
        await using var app = LocalHost.Build([], builder => builder.WebHost.UseUrls($"http://localhost:{port}"));
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        await app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
        return 0;
    }

    private static async Task<int> PrintUsageAsync(TextWriter output)
    {
        await output.WriteLineAsync(Usage).ConfigureAwait(false);
        return 0;
    }

    /// <summary>Prints a new verifier and its S256 challenge, one per line, for trying the flow by hand.</summary>
    private static async Task<int> PrintPkceAsync(TextWriter output)
    {
        var verifier = System.Buffers.Text.Base64Url.EncodeToString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        await output.WriteLineAsync(verifier).ConfigureAwait(false);
        await output.WriteLineAsync(Pkce.ComputeS256Challenge(verifier)).ConfigureAwait(false);
        return 0;
    }

    /// <summary>The setting's path in a configuration binder's message: <c>at 'Section:Name'</c>.</summary>
    [System.Text.RegularExpressions.GeneratedRegex(@"at '[^']+'")]
    private static partial System.Text.RegularExpressions.Regex ConfigurationKey();
}
