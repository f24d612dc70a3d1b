using System.Net.Http.Headers;
using System.Text;
using Duende.IdentityModel.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using TokenFunction.Tests.Infrastructure;

namespace TokenFunction.Tests.EndToEnd;

/// <summary>A service on the local host against Azurite, reached over real HTTP on loopback.</summary>
public abstract class EndToEndTest
{
    protected ServiceHost Host { get; private set; } = null!;

    /// <summary>The service's clock, when <see cref="UsesFakeClock"/>: tests move it instead of sleeping.</summary>
    protected FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    /// <summary>Whether the service runs on <see cref="Clock"/> rather than the system clock.</summary>
    protected virtual bool UsesFakeClock => false;

    /// <summary>Settings for the service beyond <see cref="ServiceHost"/>'s defaults.</summary>
    protected virtual IDictionary<string, string?>? Settings => null;

    protected HttpClient Http { get; private set; } = null!;

    protected TestClients Clients { get; private set; } = null!;

    /// <summary>What the service logged, at the level its settings and filters allow.</summary>
    protected LogCollector Logs { get; } = new();

    [OneTimeSetUp]
    public async Task StartHostAsync()
    {
        Host = await ServiceHost.StartAsync(Settings, UsesFakeClock ? s => s.AddSingleton<TimeProvider>(Clock) : null, logs: Logs);
        Http = new HttpClient(new PerTestSourceAddress(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }));
        Clients = new TestClients(Host.Services);
    }

    [OneTimeTearDown]
    public async Task StopHostAsync()
    {
        Http.Dispose();
        await Host.DisposeAsync();
    }

    protected Task<TokenResponse> RedeemAsync(RegisteredClient client, IssuedCode code, ClientCredentialStyle style = ClientCredentialStyle.AuthorizationHeader, string redirectUri = TestClients.RedirectUri) =>
        CodeRedemption.RedeemAsync(Http, Host.TokenEndpoint, client, code, style, redirectUri);

    protected Task<HttpResponseMessage> PostFormAsync(IEnumerable<KeyValuePair<string, string>> form, string? basic = null, string? query = null)
    {
        var body = string.Join('&', form.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}"));
        return PostRawAsync(body, "application/x-www-form-urlencoded", basic, query);
    }

    protected Task<HttpResponseMessage> PostRawAsync(string body, string? contentType, string? basic = null, string? query = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, Host.TokenEndpoint + (query ?? string.Empty))
        {
            Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)),
        };
        if (contentType is not null)
        {
            request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        if (basic is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", basic);
        }

        return Http.SendAsync(request);
    }

    protected static string BasicOf(string clientId, string secret) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Uri.EscapeDataString(clientId)}:{Uri.EscapeDataString(secret)}"));

    protected static Dictionary<string, string> CodeForm(IssuedCode code, string? clientId = null)
    {
        var form = new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code.Code,
            ["redirect_uri"] = TestClients.RedirectUri,
        };
        if (code.Verifier is not null)
        {
            form["code_verifier"] = code.Verifier;
        }

        if (clientId is not null)
        {
            form["client_id"] = clientId;
        }

        return form;
    }
}
