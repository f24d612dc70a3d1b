using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Duende.IdentityModel.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TokenFunction.Clients.Assertions;
using TokenFunction.Functions;
using TokenFunction.Protocol;
using TokenFunction.Tests.Infrastructure;
using TokenFunction.Settings;

namespace TokenFunction.Tests.EndToEnd;

/// <summary>
/// A client's jwks_uri cannot turn the service against its own network: with the default settings
/// (<c>ClientJwks__AllowLoopback</c> off) a jwks_uri on loopback is never connected to, even when the client was
/// registered with it (under a development setting, or by a name whose DNS answer changed later). The client's
/// requests are 401 invalid_client, and a real server listening there sees not even a TCP connection.
/// </summary>
public sealed class PrivateKeyJwtSsrfTests : EndToEndTest
{
    private static readonly IReadOnlySet<string> ClientCredentialsOnly = new HashSet<string>(StringComparer.Ordinal) { GrantTypeNames.ClientCredentials };
    private static readonly string TokenEndpointUrl = Routes.Absolute(ServiceHost.Issuer, Routes.Token);

    [TestCase("http://127.0.0.1:{0}/jwks")]
    [TestCase("https://127.0.0.1:{0}/jwks")]
    [TestCase("http://localhost:{0}/jwks")]
    [TestCase("https://localhost:{0}/jwks")]
    [TestCase("https://[::ffff:127.0.0.1]:{0}/jwks")]
    public async Task LoopbackJwksUri_WithoutAllowLoopback_IsInvalidClient_AndTheServerSeesNoConnection(string uriFormat)
    {
        await using var server = await JwksServer.StartAsync();
        using var key = ClientKeyPair.Rsa();
        server.Respond = JwksServer.Json(ClientKeyPair.Jwks(key));
        var client = await Clients.AddPrivateKeyJwtAsync(jwksUri: new Uri(string.Format(System.Globalization.CultureInfo.InvariantCulture, uriFormat, server.Port)), grantTypes: ClientCredentialsOnly);

        var response = await ClientCredentialsAsync(Http, Host, client.ClientId, key);

        await OAuthAssert.ClientAuthenticationFailedAsync(response.HttpResponse!, Logs, "jwks_uri");
        Assert.That((server.Connections, server.Requests), Is.EqualTo((0, 0)), "the JWKS server was never connected to");
    }

    [Test]
    public async Task NameThatResolvesToLoopback_IsRefusedWhenConnecting_AndTheServerSeesNoConnection()
    {
        await using var server = await JwksServer.StartAsync();
        using var key = ClientKeyPair.Rsa();
        server.Respond = JwksServer.Json(ClientKeyPair.Jwks(key));
        var attempted = new ConcurrentQueue<IPEndPoint>();
        // DNS here cannot be told to answer 127.0.0.1 for a public-looking name (a rebinding attack), so the resolver
        // is the test's. The connect step records, and really connects only to loopback, where the JWKS server listens.
        var options = new ClientJwksOptions();
        var connector = new PublicAddressConnector(
            options.AllowLoopback,
            resolve: (_, _) => Task.FromResult(new[] { IPAddress.Loopback }),
            connect: (endPoint, cancellationToken) =>
            {
                attempted.Enqueue(endPoint);
                return IPAddress.IsLoopback(endPoint.Address)
                    ? PublicAddressConnector.ConnectSocketAsync(endPoint, cancellationToken)
                    : ValueTask.FromException<Stream>(new SocketException((int)SocketError.ConnectionRefused));
            });
        await using var host = await ServiceHost.StartAsync(services: s => s.AddSingleton(provider => new ClientJwksFetcher(
            Options.Create(options), TimeProvider.System, NullLogger<ClientJwksFetcher>.Instance, ClientJwksDownloader.CreateHandler(options, connector))));
        var client = await new TestClients(host.Services).AddPrivateKeyJwtAsync(jwksUri: new Uri($"https://jwks.client.example:{server.Port}/jwks"), grantTypes: ClientCredentialsOnly);

        var response = await ClientCredentialsAsync(Http, host, client.ClientId, key);

        await OAuthAssert.ErrorAsync(response.HttpResponse!, HttpStatusCode.Unauthorized, OAuthErrorCodes.InvalidClient);
        Assert.That(attempted, Is.Empty, "no connection was attempted");
        Assert.That(server.Connections, Is.Zero);
    }

    private static Task<TokenResponse> ClientCredentialsAsync(HttpClient http, ServiceHost host, string clientId, ClientKeyPair key) =>
        PrivateKeyJwtRequests.ClientCredentialsAsync(http, host.TokenEndpoint.ToString(), clientId, key.CreateAssertion(clientId, TokenEndpointUrl, DateTimeOffset.UtcNow));
}
