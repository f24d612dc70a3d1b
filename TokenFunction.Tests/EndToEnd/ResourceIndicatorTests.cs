using System.Net;
using System.Text.Json;
using Duende.IdentityModel.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using TokenFunction.Protocol;
using TokenFunction.Storage;
using TokenFunction.Tests.Infrastructure;

namespace TokenFunction.Tests.EndToEnd;

/// <summary>RFC 8707 resource indicators on the client credentials grant: the token's audience is what was asked for.</summary>
public sealed class ResourceIndicatorTests : EndToEndTest
{
    private const string Orders = "https://orders.example.test/";
    private const string Reports = "https://reports.example.test/api";

    private static readonly IReadOnlySet<string> ClientCredentialsOnly = new HashSet<string>(StringComparer.Ordinal) { GrantTypeNames.ClientCredentials };

    [Test]
    public async Task RegisteredResource_IsTheTokensAudience()
    {
        var client = await AddClientAsync(Orders, Reports);

        var response = await RequestAsync(client, Orders);

        Assert.That(response.IsError, Is.False, response.Raw);
        var jwt = await ValidateAsync(response, Orders);
        Assert.That(AudKind(jwt), Is.EqualTo(JsonValueKind.String), "one resource: aud is a string");
        Assert.That(jwt.Audiences, Is.EqualTo(new[] { Orders }));
    }

    [Test]
    public async Task TwoRegisteredResources_AreBothInAnAudienceArray()
    {
        var client = await AddClientAsync(Orders, Reports);

        var response = await RequestAsync(client, Orders, Reports);

        Assert.That(response.IsError, Is.False, response.Raw);
        var jwt = await ValidateAsync(response, Reports);
        Assert.That(AudKind(jwt), Is.EqualTo(JsonValueKind.Array));
        Assert.That(jwt.Audiences, Is.EquivalentTo(new[] { Orders, Reports }));
    }

    [Test]
    public async Task NoResource_IsTheDefaultAudience()
    {
        var client = await AddClientAsync(Orders);

        var response = await RequestAsync(client);

        Assert.That(response.IsError, Is.False, response.Raw);
        Assert.That((await ValidateAsync(response, ServiceHost.Audience)).Audiences, Is.EqualTo(new[] { ServiceHost.Audience }));
    }

    [TestCase("https://elsewhere.example.test/", "not registered", TestName = "UnregisteredResource_IsInvalidTarget")]
    [TestCase("/relative/path", "absolute URI", TestName = "RelativeResource_IsInvalidTarget")]
    [TestCase(Orders + "#part", "absolute URI", TestName = "ResourceWithFragment_IsInvalidTarget")]
    public async Task BadResource_IsInvalidTarget(string resource, string message)
    {
        var client = await AddClientAsync(Orders);

        var response = await RequestAsync(client, Orders, resource);

        await OAuthAssert.ErrorAsync(response.HttpResponse!, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidTarget);
    }

    [Test]
    public async Task Refresh_WithRegisteredResource_IsTheAudience_AndUnregisteredIsInvalidTarget()
    {
        var client = await AddClientAsync(TestClients.WithRefreshTokens, Orders);
        var redeemed = await CodeRedemption.RedeemAsync(Http, Host.TokenEndpoint, client, await Clients.IssueCodeAsync(client.ClientId));
        Assert.That(redeemed.RefreshToken, Is.Not.Null, redeemed.Raw);

        var refused = await RefreshAsync(client, redeemed.RefreshToken!, "https://elsewhere.example.test/");
        await OAuthAssert.ErrorAsync(refused.HttpResponse!, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidTarget);

        // The refused request rotated nothing: the same refresh token still works.
        var refreshed = await RefreshAsync(client, redeemed.RefreshToken!, Orders);
        Assert.That(refreshed.IsError, Is.False, refreshed.Raw);
        Assert.That((await ValidateAsync(refreshed, Orders)).Audiences, Is.EqualTo(new[] { Orders }));
    }

    private Task<TokenResponse> RefreshAsync(RegisteredClient client, string refreshToken, string resource) =>
        Http.RequestRefreshTokenAsync(new RefreshTokenRequest
        {
            Address = Host.TokenEndpoint.ToString(),
            ClientId = client.ClientId,
            ClientSecret = client.Secret,
            RefreshToken = refreshToken,
            Resource = { resource },
        });

    private Task<RegisteredClient> AddClientAsync(params string[] resources) => AddClientAsync(ClientCredentialsOnly, resources);

    private async Task<RegisteredClient> AddClientAsync(IReadOnlySet<string> grantTypes, params string[] resources)
    {
        var client = await Clients.AddConfidentialAsync(grantTypes: grantTypes);
        var store = Host.Services.GetRequiredService<ClientStore>();
        var registered = (await store.FindAsync(client.ClientId, CancellationToken.None))!;
        await store.SaveAsync(registered with { AllowedResources = resources.ToHashSet(StringComparer.Ordinal) }, replace: true, CancellationToken.None);
        return client;
    }

    private Task<TokenResponse> RequestAsync(RegisteredClient client, params string[] resources)
    {
        var request = new ClientCredentialsTokenRequest
        {
            Address = Host.TokenEndpoint.ToString(),
            ClientId = client.ClientId,
            ClientSecret = client.Secret,
        };
        foreach (var resource in resources)
        {
            request.Resource.Add(resource);
        }

        return Http.RequestClientCredentialsTokenAsync(request);
    }

    private static JsonValueKind AudKind(JsonWebToken jwt)
    {
        using var payload = JsonDocument.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(jwt.EncodedPayload));
        return payload.RootElement.GetProperty("aud").ValueKind;
    }

    private async Task<JsonWebToken> ValidateAsync(TokenResponse response, string audience)
    {
        var validation = await JwtValidation.ValidateAsync(Http, Host.JwksUri, response.AccessToken!, ServiceHost.Issuer, audience);
        Assert.That(validation.IsValid, Is.True, validation.Exception?.Message);
        return (JsonWebToken)validation.SecurityToken;
    }
}
