using Duende.IdentityModel.Client;
using TokenFunction.Functions;
using TokenFunction.Protocol;
using TokenFunction.Tests.Infrastructure;
using TokenFunction.Settings;

namespace TokenFunction.Tests.EndToEnd;

/// <summary>
/// private_key_jwt with the client's keys at a registered jwks_uri, served by a real HTTP server on loopback:
/// fetched once and cached, fetched again for a rotated key, bounded in time and size, and the last good keys kept
/// through an outage of the client's server. The server is on loopback, so <c>ClientJwks__AllowLoopback</c> is on.
/// </summary>
public sealed class PrivateKeyJwtByUrlTests : EndToEndTest
{
    private const int TimeoutSeconds = 1;
    private const int MaxBytes = 8192;
    private static readonly IReadOnlySet<string> ClientCredentialsOnly = new HashSet<string>(StringComparer.Ordinal) { GrantTypeNames.ClientCredentials };
    private static readonly string TokenEndpointUrl = Routes.Absolute(ServiceHost.Issuer, Routes.Token);
    private static readonly TimeSpan CacheTime = TimeSpan.FromSeconds(new ClientJwksOptions().CacheSeconds);
    private static readonly TimeSpan MinRefetch = TimeSpan.FromSeconds(new ClientJwksOptions().MinRefetchSeconds);

    protected override bool UsesFakeClock => true;

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        [SettingNames.ClientJwksFetchTimeoutSeconds] = TimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        [SettingNames.ClientJwksMaxResponseBytes] = MaxBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
        [SettingNames.ClientJwksAllowLoopback] = "true",
    };

    [Test]
    public async Task KeysAtTheRegisteredUrl_AuthenticateTheClient_FetchedOnceForManyRequests_AndAgainAfterTheCacheTime()
    {
        await using var server = await JwksServer.StartAsync();
        using var key = ClientKeyPair.Rsa();
        server.Respond = JwksServer.Json(ClientKeyPair.Jwks(key));
        var client = await Clients.AddPrivateKeyJwtAsync(jwksUri: server.Url(), grantTypes: ClientCredentialsOnly);

        for (var i = 0; i < 3; i++)
        {
            var response = await ClientCredentialsAsync(client.ClientId, key);
            Assert.That(response.IsError, Is.False, response.Raw);
        }

        Assert.That(server.Requests, Is.EqualTo(1), "three requests, one fetch");
        Clock.Advance(CacheTime + TimeSpan.FromSeconds(1));
        var later = await ClientCredentialsAsync(client.ClientId, key);
        Assert.Multiple(() =>
        {
            Assert.That(later.IsError, Is.False, later.Raw);
            Assert.That(server.Requests, Is.EqualTo(2), "fetched again once the cached set expired");
        });
    }

    [Test]
    public async Task KeyRotatedAtTheUrl_IsFetchedWhenAnAssertionNamesItsKid()
    {
        await using var server = await JwksServer.StartAsync();
        using var old = ClientKeyPair.Rsa();
        using var rotated = ClientKeyPair.EcP256();
        server.Respond = JwksServer.Json(ClientKeyPair.Jwks(old));
        var client = await Clients.AddPrivateKeyJwtAsync(jwksUri: server.Url(), grantTypes: ClientCredentialsOnly);
        Assert.That((await ClientCredentialsAsync(client.ClientId, old)).IsError, Is.False);

        server.Respond = JwksServer.Json(ClientKeyPair.Jwks(old, rotated));
        Clock.Advance(MinRefetch + TimeSpan.FromSeconds(1));
        var response = await ClientCredentialsAsync(client.ClientId, rotated);

        Assert.Multiple(() =>
        {
            Assert.That(response.IsError, Is.False, response.Raw);
            Assert.That(server.Requests, Is.EqualTo(2), "the unknown kid caused one early fetch, within the cache time");
        });
    }

    [Test]
    public async Task AssertionNamingAKidTheUrlDoesNotHave_IsInvalidClient_AndDoesNotMakeEveryRequestFetch()
    {
        await using var server = await JwksServer.StartAsync();
        using var registered = ClientKeyPair.Rsa();
        using var unknown = ClientKeyPair.Rsa();
        server.Respond = JwksServer.Json(ClientKeyPair.Jwks(registered));
        var client = await Clients.AddPrivateKeyJwtAsync(jwksUri: server.Url(), grantTypes: ClientCredentialsOnly);
        Clock.Advance(MinRefetch + TimeSpan.FromSeconds(1));

        for (var i = 0; i < 3; i++)
        {
            var response = await ClientCredentialsAsync(client.ClientId, unknown);
            await OAuthAssert.ClientAuthenticationFailedAsync(response.HttpResponse!, Logs, "signature");
        }

        Assert.That(server.Requests, Is.LessThanOrEqualTo(2), "a first fetch and at most one early refetch for the unknown kid");
    }

    [Test]
    public async Task UrlThatFails_WithNoKeysCached_IsInvalidClientSayingWhy()
    {
        await using var server = await JwksServer.StartAsync();
        using var key = ClientKeyPair.Rsa();
        server.Respond = JwksServer.Status(500);
        var client = await Clients.AddPrivateKeyJwtAsync(jwksUri: server.Url(), grantTypes: ClientCredentialsOnly);

        var response = await ClientCredentialsAsync(client.ClientId, key);

        await OAuthAssert.ClientAuthenticationFailedAsync(response.HttpResponse!, Logs, "500");
    }

    [Test]
    public async Task JwksLargerThanTheLimit_IsInvalidClient()
    {
        await using var server = await JwksServer.StartAsync();
        using var key = ClientKeyPair.Rsa();
        var padded = ClientKeyPair.Jwks(key).TrimEnd('}') + ",\"padding\":\"" + new string('x', MaxBytes) + "\"}";
        server.Respond = JwksServer.Json(padded);
        var client = await Clients.AddPrivateKeyJwtAsync(jwksUri: server.Url(), grantTypes: ClientCredentialsOnly);

        var response = await ClientCredentialsAsync(client.ClientId, key);

        await OAuthAssert.ClientAuthenticationFailedAsync(response.HttpResponse!, Logs, "larger than");
    }

    [Test]
    public async Task UrlThatNeverFinishesAnswering_IsInvalidClientAfterTheTimeout()
    {
        await using var server = await JwksServer.StartAsync();
        using var key = ClientKeyPair.Rsa();
        server.Respond = context =>
        {
            context.Response.ContentType = "application/json";
            return JwksServer.StallUntilAbortedAsync(context);
        };
        var client = await Clients.AddPrivateKeyJwtAsync(jwksUri: server.Url(), grantTypes: ClientCredentialsOnly);

        var response = await ClientCredentialsAsync(client.ClientId, key);

        await OAuthAssert.ClientAuthenticationFailedAsync(response.HttpResponse!, Logs, "timeout");
    }

    [Test]
    public async Task OutageOfTheUrl_AfterAGoodFetch_KeepsTheLastGoodKeysWorking()
    {
        await using var server = await JwksServer.StartAsync();
        using var key = ClientKeyPair.Rsa();
        server.Respond = JwksServer.Json(ClientKeyPair.Jwks(key));
        var client = await Clients.AddPrivateKeyJwtAsync(jwksUri: server.Url(), grantTypes: ClientCredentialsOnly);
        Assert.That((await ClientCredentialsAsync(client.ClientId, key)).IsError, Is.False);

        server.Respond = JwksServer.Status(503);
        Clock.Advance(CacheTime + TimeSpan.FromSeconds(1));
        var response = await ClientCredentialsAsync(client.ClientId, key);

        Assert.Multiple(() =>
        {
            Assert.That(response.IsError, Is.False, response.Raw);
            Assert.That(server.Requests, Is.EqualTo(2), "the refetch was tried and failed");
        });
    }

    private Task<TokenResponse> ClientCredentialsAsync(string clientId, ClientKeyPair key) =>
        PrivateKeyJwtRequests.ClientCredentialsAsync(Http, Host.TokenEndpoint.ToString(), clientId, key.CreateAssertion(clientId, TokenEndpointUrl, Clock.GetUtcNow()));
}
