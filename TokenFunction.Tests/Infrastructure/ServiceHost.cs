using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TokenFunction.Hosting;
using TokenFunction.Settings;

namespace TokenFunction.Tests.Infrastructure;

/// <summary>
/// The token service on the local Kestrel host (the same function classes <c>tokenctl serve</c> runs), on a free
/// loopback port, against Azurite.
/// </summary>
public sealed class ServiceHost : IAsyncDisposable
{
    public const string Issuer = "http://localhost:8080";
    public const string Audience = "https://api.example.test";

    private readonly WebApplication app;

    private ServiceHost(WebApplication app, Uri baseAddress, string keyDirectory)
    {
        this.app = app;
        BaseAddress = baseAddress;
        KeyDirectory = keyDirectory;
    }

    public Uri BaseAddress { get; }

    public string KeyDirectory { get; }

    public IServiceProvider Services => app.Services;

    public Uri TokenEndpoint => new(BaseAddress, "/" + Functions.Routes.Token);

    public Uri RevocationEndpoint => new(BaseAddress, "/" + Functions.Routes.Revocation);

    public Uri JwksUri => new(BaseAddress, "/" + Functions.Routes.Jwks);

    /// <param name="settings">Settings beyond the defaults, by setting name (<c>Section__Name</c>).</param>
    /// <param name="services">Registrations made before the service's own, so that they win.</param>
    /// <param name="port">A fixed loopback port, for a host whose issuer must be its own address; a free one by default.</param>
    /// <param name="logs">Where the host's log goes (filtered as the service filters it); nowhere by default.</param>
    public static async Task<ServiceHost> StartAsync(
        IDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? services = null,
        int port = 0,
        LogCollector? logs = null)
    {
        var keyDirectory = Directory.CreateTempSubdirectory("token-tests-").FullName;
        var configuration = new Dictionary<string, string?>
        {
            [Key(SettingNames.TokenIssuer)] = Issuer,
            [Key(SettingNames.TokenAudience)] = Audience,
            [Key(SettingNames.TablesConnectionString)] = TestEnvironment.Azurite.ConnectionString,
            [Key(SettingNames.SigningLocalKeyPath)] = Path.Combine(keyDirectory, "signing-key.pem"),
        };
        foreach (var (name, value) in settings ?? new Dictionary<string, string?>())
        {
            configuration[Key(name)] = value;
        }

        var app = LocalHost.Build([], builder =>
        {
            builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
            builder.Configuration.AddInMemoryCollection(configuration);
            builder.Logging.ClearProviders();
            if (logs is not null)
            {
                builder.Logging.AddProvider(logs);
            }

            services?.Invoke(builder.Services);
        });
        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            Directory.Delete(keyDirectory, recursive: true);
            throw;
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new ServiceHost(app, new Uri(address), keyDirectory);
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
        Directory.Delete(KeyDirectory, recursive: true);
    }

    /// <summary>Setting names use '__' as environment variables do; configuration keys use ':'.</summary>
    private static string Key(string settingName) => SettingNames.ConfigurationKey(settingName);
}
