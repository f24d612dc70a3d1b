using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using TokenFunction.Clients.Assertions;
using TokenFunction.Tests.Infrastructure;
using TokenFunction.Settings;

namespace TokenFunction.Tests.Unit.Clients.Jwks;

/// <summary>
/// The JWKS fetch connects only to public addresses, judged on the address connected to. Where a name must resolve to
/// a private or link-local address, the test passes its own resolver (DNS here cannot be told to) and its own connect
/// step, which records the address and never opens a socket to anything but loopback, so that no test traffic can leave
/// the machine even if the check were broken. Elsewhere the real resolver and real sockets are used, on loopback.
/// </summary>
public class PublicAddressConnectorTests
{
    private const string ClientHost = "jwks.client.example";
    private static readonly Uri s_clientJwksUri = new($"https://{ClientHost}/.well-known/jwks.json");

    private ConcurrentQueue<string> _resolved = null!;
    private ConcurrentQueue<IPAddress> _attempted = null!;
    private JwksServer _server = null!;

    [SetUp]
    public async Task StartServerAsync()
    {
        _resolved = new();
        _attempted = new();
        _server = await JwksServer.StartAsync();
        _server.Respond = JwksServer.Json(TestJwks.Set(TestJwks.Rsa("k1")));
    }

    [TearDown]
    public async Task StopServerAsync() => await _server.DisposeAsync();

    [TestCase("169.254.169.254", "link-local", TestName = "NameResolvingToTheCloudMetadataAddress_IsRefusedWithoutAConnectionAttempt")]
    [TestCase("10.0.0.1", "private", TestName = "NameResolvingToAPrivateAddress_IsRefusedWithoutAConnectionAttempt")]
    [TestCase("fd00::1", "unique local", TestName = "NameResolvingToAUniqueLocalIpv6Address_IsRefusedWithoutAConnectionAttempt")]
    [TestCase("::ffff:192.168.0.10", "private", TestName = "NameResolvingToAnIpv4MappedPrivateAddress_IsRefusedWithoutAConnectionAttempt")]
    [TestCase("127.0.0.1", "loopback", TestName = "NameResolvingToLoopback_WithoutAllowLoopback_IsRefusedWithoutAConnectionAttempt")]
    public async Task NameResolvingOnlyToANonPublicAddress_IsRefused(string address, string rangeWords)
    {
        using var fetcher = Fetcher(allowLoopback: false, address);

        var error = await Assert.ThrowsAsync<ClientJwksUnavailableException>(() => fetcher.GetAsync(s_clientJwksUri, refresh: false, CancellationToken.None));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(_resolved, Is.EqualTo(new[] { ClientHost }), "the host was resolved by the connector");
            Assert.That(_attempted, Is.Empty, "no connection was attempted");
            Assert.That(error.Message, Does.Contain("resolves only to non-public addresses").And.Contain(IPAddress.Parse(address).ToString()).And.Contain(rangeWords));
        }
    }

    [Test]
    public async Task NameResolvingToSeveralNonPublicAddresses_NamesThemAll_AndConnectsToNone()
    {
        using var fetcher = Fetcher(allowLoopback: true, "10.0.0.1", "169.254.169.254", "fe80::1");

        var error = await Assert.ThrowsAsync<ClientJwksUnavailableException>(() => fetcher.GetAsync(s_clientJwksUri, refresh: false, CancellationToken.None));

        Assert.That(_attempted, Is.Empty);
        Assert.That(error.Message, Does.Contain("10.0.0.1").And.Contain("169.254.169.254").And.Contain("fe80::1"));
    }

    [Test]
    public async Task NameResolvingToPrivateAndPublicAddresses_ConnectsOnlyToThePublicOne()
    {
        // 192.0.1.1 is public; the recording connect step refuses it without sending anything.
        using var fetcher = Fetcher(allowLoopback: false, "10.0.0.1", "192.0.1.1", "169.254.169.254");

        var error = await Assert.ThrowsAsync<ClientJwksUnavailableException>(() => fetcher.GetAsync(s_clientJwksUri, refresh: false, CancellationToken.None));

        Assert.That(_attempted, Is.EqualTo(new[] { IPAddress.Parse("192.0.1.1") }));
        Assert.That(error.Message, Does.Contain("could not be reached"));
    }

    [Test]
    public async Task WithAllowLoopback_NonPublicAddressesAreDropped_AndTheLoopbackOneServesTheKeys()
    {
        using var fetcher = Fetcher(allowLoopback: true, "10.0.0.1", "169.254.169.254", "127.0.0.1");

        var keys = await fetcher.GetAsync(new Uri($"http://localhost:{_server.Port}/jwks"), refresh: false, CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(keys.Keys.Select(k => k.KeyId), Is.EqualTo(new[] { "k1" }));
            Assert.That(_attempted, Is.EqualTo(new[] { IPAddress.Loopback }), "only the permitted address was connected to");
            Assert.That(_server.Requests, Is.EqualTo(1));
        }
    }

    [Test]
    public async Task HostWithoutAnyAddress_IsRefused()
    {
        using var fetcher = Fetcher(allowLoopback: false);

        var error = await Assert.ThrowsAsync<ClientJwksUnavailableException>(() => fetcher.GetAsync(s_clientJwksUri, refresh: false, CancellationToken.None));

        Assert.That(error.Message, Does.Contain("has no address"));
    }

    [TestCase("https://169.254.169.254/latest/meta-data/", TestName = "LiteralMetadataAddressUrl_IsRefusedBeforeResolvingOrConnecting")]
    [TestCase("https://10.0.0.1/jwks", TestName = "LiteralPrivateAddressUrl_IsRefusedBeforeResolvingOrConnecting")]
    [TestCase("https://localhost/jwks", TestName = "LocalhostUrl_IsRefusedBeforeResolvingOrConnecting")]
    [TestCase("http://jwks.client.example/jwks", TestName = "HttpUrl_IsRefusedBeforeResolvingOrConnecting")]
    public async Task UnacceptableUrl_IsRefusedUpFront(string uri)
    {
        using var fetcher = Fetcher(allowLoopback: false, "192.0.1.1");

        var error = await Assert.ThrowsAsync<ClientJwksUnavailableException>(() => fetcher.GetAsync(new Uri(uri), refresh: false, CancellationToken.None));

        Assert.That(_resolved, Is.Empty, "nothing was resolved");
        Assert.That(_attempted, Is.Empty, "nothing was connected to");
        Assert.That(error.Message, Does.StartWith("The client's JWKS could not be fetched: the jwks_uri"));
    }

    // The handler alone, without the URL rule in front of it: the connect-time check holds on its own,
    // with the real resolver (localhost is in the hosts file) and real sockets.
    [TestCase("localhost", TestName = "Handler_WithoutAllowLoopback_RefusesANameThatResolvesToLoopback_AndNoConnectionReachesTheServer")]
    [TestCase("127.0.0.1", TestName = "Handler_WithoutAllowLoopback_RefusesALoopbackAddress_AndNoConnectionReachesTheServer")]
    public async Task Handler_RefusesLoopbackByItself(string host)
    {
        var options = new ClientJwksOptions();
        using var http = new HttpClient(ClientJwksDownloader.CreateHandler(options, new PublicAddressConnector(allowLoopback: false)));

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync(new Uri($"http://{host}:{_server.Port}/jwks")));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(error!.InnerException, Is.TypeOf<ClientJwksUnavailableException>().With.Message.Contain("loopback"));
            Assert.That(_server.Connections, Is.Zero);
        }
    }

    [Test]
    public async Task Handler_WithAllowLoopback_ConnectsToLocalhost()
    {
        var options = new ClientJwksOptions { AllowLoopback = true };
        using var http = new HttpClient(ClientJwksDownloader.CreateHandler(options, new PublicAddressConnector(allowLoopback: true)));

        using var response = await http.GetAsync(new Uri($"http://localhost:{_server.Port}/jwks"));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(_server.Connections, Is.EqualTo(1));
    }

    [Test]
    public void ProductionHandler_ConnectsDirectly_NeverThroughAProxy_AndFollowsNoRedirect()
    {
        using var handler = ClientJwksDownloader.CreateHandler(new ClientJwksOptions(), new PublicAddressConnector(allowLoopback: false));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(handler.UseProxy, Is.False, "through a proxy the check would judge the proxy's address");
            Assert.That(handler.ConnectCallback, Is.Not.Null);
            Assert.That(handler.AllowAutoRedirect, Is.False);
        }
    }

    /// <summary>A fetcher whose connector resolves every name to <paramref name="addresses"/> and records connection attempts.</summary>
    private ClientJwksFetcher Fetcher(bool allowLoopback, params string[] addresses)
    {
        var options = new ClientJwksOptions { AllowLoopback = allowLoopback, FetchTimeoutSeconds = 5 };
        var connector = new PublicAddressConnector(
            allowLoopback,
            resolve: (host, _) =>
            {
                _resolved.Enqueue(host);
                return Task.FromResult(addresses.Select(IPAddress.Parse).ToArray());
            },
            connect: (endPoint, cancellationToken) =>
            {
                _attempted.Enqueue(endPoint.Address);
                // Only loopback is ever really connected to; anything else fails here, unsent.
                return IPAddress.IsLoopback(endPoint.Address)
                    ? PublicAddressConnector.ConnectSocketAsync(endPoint, cancellationToken)
                    : ValueTask.FromException<Stream>(new SocketException((int)SocketError.ConnectionRefused));
            });
        return new ClientJwksFetcher(
            Options.Create(options), new FakeTimeProvider(), NullLogger<ClientJwksFetcher>.Instance, ClientJwksDownloader.CreateHandler(options, connector));
    }
}
