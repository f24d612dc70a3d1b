using System.Net;
using Duende.IdentityModel.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using TokenFunction.Protocol;
using TokenFunction.Tests.Infrastructure;

namespace TokenFunction.Tests.EndToEnd;

/// <summary>Codes expire at the instant stored with them; the tests move the service's clock instead of sleeping.</summary>
public sealed class CodeExpiryTests
{
    private readonly FakeTimeProvider clock = new(DateTimeOffset.UtcNow);
    private ServiceHost host = null!;
    private HttpClient http = null!;
    private TestClients clients = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        host = await ServiceHost.StartAsync(services: s => s.AddSingleton<TimeProvider>(clock));
        http = new HttpClient();
        clients = new TestClients(host.Services);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        http.Dispose();
        await host.DisposeAsync();
    }

    [Test]
    public async Task CodeJustBeforeExpiry_IsRedeemed()
    {
        var client = await clients.AddPublicAsync();
        var code = await clients.IssueCodeAsync(client.ClientId, lifetime: TimeSpan.FromSeconds(60));
        clock.Advance(TimeSpan.FromSeconds(59));

        var response = await RedeemAsync(client, code);

        Assert.That(response.IsError, Is.False, response.Raw);
    }

    [Test]
    public async Task CodePastExpiry_IsInvalidGrant()
    {
        var client = await clients.AddPublicAsync();
        var code = await clients.IssueCodeAsync(client.ClientId, lifetime: TimeSpan.FromSeconds(60));
        clock.Advance(TimeSpan.FromSeconds(60));

        var response = await RedeemAsync(client, code);

        await OAuthAssert.ErrorAsync(response.HttpResponse!, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidGrant, "expired");
    }

    private Task<TokenResponse> RedeemAsync(RegisteredClient client, IssuedCode code) =>
        CodeRedemption.RedeemAsync(http, host.TokenEndpoint, client, code);
}
