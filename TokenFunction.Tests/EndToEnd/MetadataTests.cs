using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using TokenFunction.Functions;
using TokenFunction.Grants;
using TokenFunction.Protocol;
using TokenFunction.Tests.Infrastructure;

namespace TokenFunction.Tests.EndToEnd;

/// <summary>The RFC 8414 metadata document says exactly what the service does.</summary>
public sealed class MetadataTests : EndToEndTest
{
    [Test]
    public async Task Metadata_NamesTheIssuerAndItsEndpointsAndMayBeCached()
    {
        var (response, metadata) = await GetMetadataAsync();

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(response.Headers.CacheControl?.Public, Is.True);
            Assert.That(metadata.GetProperty("issuer").GetString(), Is.EqualTo(ServiceHost.Issuer));
            Assert.That(metadata.GetProperty("token_endpoint").GetString(), Is.EqualTo($"{ServiceHost.Issuer}/{Routes.Token}"));
            Assert.That(metadata.GetProperty("jwks_uri").GetString(), Is.EqualTo($"{ServiceHost.Issuer}/{Routes.Jwks}"));
            Assert.That(metadata.GetProperty("revocation_endpoint").GetString(), Is.EqualTo($"{ServiceHost.Issuer}/{Routes.Revocation}"));
            Assert.That(Strings(metadata, "response_types_supported"), Is.EqualTo(new[] { "code" }));
        });
    }

    [Test]
    public async Task Metadata_WithoutAConfiguredAuthorizeStep_HasNoAuthorizationEndpoint()
    {
        var (_, metadata) = await GetMetadataAsync();

        Assert.That(metadata.TryGetProperty("authorization_endpoint", out _), Is.False);
    }

    [Test]
    public async Task Metadata_PublishesTheConfiguredAuthorizationEndpoint()
    {
        const string authorize = "https://login.example.test/authorize";
        await using var host = await ServiceHost.StartAsync(new Dictionary<string, string?> { [TokenFunction.Settings.SettingNames.TokenAuthorizationEndpoint] = authorize });

        using var response = await Http.GetAsync(new Uri(host.BaseAddress, "/" + Routes.Metadata));
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.That(document.RootElement.GetProperty("authorization_endpoint").GetString(), Is.EqualTo(authorize));
    }

    [Test]
    public async Task MetadataLists_AreTheOnesTheCodeSupports()
    {
        var (_, metadata) = await GetMetadataAsync();
        var grants = Host.Services.GetRequiredService<GrantHandlers>();

        Assert.Multiple(() =>
        {
            Assert.That(Strings(metadata, "grant_types_supported"), Is.EquivalentTo(grants.SupportedGrantTypes));
            Assert.That(Strings(metadata, "token_endpoint_auth_methods_supported"),
                Is.EquivalentTo(Enum.GetValues<ClientAuthenticationMethod>().Select(ClientAuthenticationMethods.NameOf)));
            Assert.That(Strings(metadata, "code_challenge_methods_supported"), Is.EquivalentTo(new[] { Pkce.S256, Pkce.Plain }));
            Assert.That(Strings(metadata, "token_endpoint_auth_signing_alg_values_supported"), Is.EquivalentTo(JwsAlgorithms.Supported),
                "the algorithms the assertion parser accepts");
            Assert.That(Strings(metadata, "revocation_endpoint_auth_signing_alg_values_supported"), Is.EquivalentTo(JwsAlgorithms.Supported));
            Assert.That(Strings(metadata, "revocation_endpoint_auth_methods_supported"), Is.EqualTo(Strings(metadata, "token_endpoint_auth_methods_supported")),
                "the revocation endpoint authenticates clients exactly as the token endpoint does");
        });
    }

    [Test]
    public async Task EveryAdvertisedGrantType_IsAcceptedByTheTokenEndpoint()
    {
        var (_, metadata) = await GetMetadataAsync();
        var client = await Clients.AddPublicAsync();
        using var unknown = await PostFormAsync(new Dictionary<string, string> { ["grant_type"] = "urn:example:unknown", ["client_id"] = client.ClientId });
        Assert.That(await unknown.Content.ReadAsStringAsync(), Does.Contain(OAuthErrorCodes.UnsupportedGrantType), "the probe reaches the grant check");

        foreach (var grantType in Strings(metadata, "grant_types_supported"))
        {
            using var response = await PostFormAsync(new Dictionary<string, string> { ["grant_type"] = grantType, ["client_id"] = client.ClientId });
            var body = await response.Content.ReadAsStringAsync();
            Assert.That(body, Does.Not.Contain(OAuthErrorCodes.UnsupportedGrantType), $"{grantType} is advertised, so it must be supported");
        }
    }

    private async Task<(HttpResponseMessage Response, JsonElement Metadata)> GetMetadataAsync()
    {
        var response = await Http.GetAsync(new Uri(Host.BaseAddress, "/" + Routes.Metadata));
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (response, document.RootElement.Clone());
    }

    private static string[] Strings(JsonElement metadata, string name) =>
        [.. metadata.GetProperty(name).EnumerateArray().Select(e => e.GetString()!)];
}
