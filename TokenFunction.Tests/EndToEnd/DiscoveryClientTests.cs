using Duende.IdentityModel.Client;
using TokenFunction.Functions;
using TokenFunction.Protocol;
using TokenFunction.Tests.Infrastructure;
using TokenFunction.Settings;

namespace TokenFunction.Tests.EndToEnd;

/// <summary>
/// A client library configured from the metadata URL alone (RFC 8414) finds everything it needs: here the issuer is
/// the host's own address, as in a deployment, so the advertised endpoints are the ones that answer.
/// </summary>
public sealed class DiscoveryClientTests
{
    private ServiceHost host = null!;
    private HttpClient http = null!;
    private TestClients clients = null!;
    private string issuer = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        var port = FreePort.Next();
        issuer = $"http://127.0.0.1:{port}";
        host = await ServiceHost.StartAsync(new Dictionary<string, string?> { [SettingNames.TokenIssuer] = issuer }, port: port);
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
    public async Task ClientConfiguredFromTheMetadataUrl_CompletesACodeExchangeAndAClientCredentialsRequest()
    {
        var discovery = await DiscoverAsync();
        Assert.That(discovery.IsError, Is.False, discovery.Error);
        Assert.That(discovery.KeySet?.Keys, Is.Not.Empty, "the library loaded the JWKS the metadata points to");

        var codeClient = await clients.AddConfidentialAsync();
        var code = await clients.IssueCodeAsync(codeClient.ClientId);
        var exchanged = await http.RequestAuthorizationCodeTokenAsync(new AuthorizationCodeTokenRequest
        {
            Address = discovery.TokenEndpoint,
            ClientId = codeClient.ClientId,
            ClientSecret = codeClient.Secret,
            Code = code.Code,
            RedirectUri = TestClients.RedirectUri,
            CodeVerifier = code.Verifier,
        });

        var serviceClient = await clients.AddConfidentialAsync(grantTypes: new HashSet<string>(StringComparer.Ordinal) { GrantTypeNames.ClientCredentials });
        var credentials = await http.RequestClientCredentialsTokenAsync(new ClientCredentialsTokenRequest
        {
            Address = discovery.TokenEndpoint,
            ClientId = serviceClient.ClientId,
            ClientSecret = serviceClient.Secret,
        });

        Assert.Multiple(() =>
        {
            Assert.That(exchanged.IsError, Is.False, exchanged.Raw);
            Assert.That(credentials.IsError, Is.False, credentials.Raw);
        });
        foreach (var token in new[] { exchanged.AccessToken!, credentials.AccessToken! })
        {
            var validation = await JwtValidation.ValidateAsync(http, new Uri(discovery.JwksUri!), token, issuer, ServiceHost.Audience);
            Assert.That(validation.IsValid, Is.True, validation.Exception?.Message);
        }
    }

    [Test]
    public async Task ClientConfiguredFromTheMetadataUrl_AuthenticatesWithPrivateKeyJwtAddressedToTheAdvertisedTokenEndpoint()
    {
        var discovery = await DiscoverAsync();
        Assert.That(discovery.IsError, Is.False, discovery.Error);
        using var key = ClientKeyPair.EcP256();
        Assert.Multiple(() =>
        {
            Assert.That(discovery.TokenEndpointAuthenticationMethodsSupported, Does.Contain("private_key_jwt"));
            Assert.That(discovery.TryGetStringArray("token_endpoint_auth_signing_alg_values_supported"), Does.Contain(key.Algorithm));
        });
        var client = await clients.AddPrivateKeyJwtAsync(ClientKeyPair.Jwks(key), grantTypes: new HashSet<string>(StringComparer.Ordinal) { GrantTypeNames.ClientCredentials });

        var response = await PrivateKeyJwtRequests.ClientCredentialsAsync(
            http, discovery.TokenEndpoint!, client.ClientId, key.CreateAssertion(client.ClientId, discovery.TokenEndpoint!, DateTimeOffset.UtcNow));

        Assert.That(response.IsError, Is.False, response.Raw);
        var validation = await JwtValidation.ValidateAsync(http, new Uri(discovery.JwksUri!), response.AccessToken!, issuer, ServiceHost.Audience);
        Assert.That(validation.IsValid, Is.True, validation.Exception?.Message);
    }

    private Task<DiscoveryDocumentResponse> DiscoverAsync() =>
        http.GetDiscoveryDocumentAsync(new DiscoveryDocumentRequest
        {
            Address = issuer,
            Policy = new DiscoveryPolicy
            {
                DiscoveryDocumentPath = "/" + Routes.Metadata,
                RequireHttps = false,
                RequireKeySet = true,
                ValidateIssuerName = true,
                ValidateEndpoints = true,
            },
        });
}
