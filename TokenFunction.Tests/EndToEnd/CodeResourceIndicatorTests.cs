using System.Net;
using Duende.IdentityModel.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using TokenFunction.Protocol;
using TokenFunction.Storage;
using TokenFunction.Tests.Infrastructure;

namespace TokenFunction.Tests.EndToEnd;

/// <summary>
/// RFC 8707 resource indicators on the code exchange and on the refreshes of the grant it starts: a code issued with
/// resources is redeemed only for a subset of them, and the grant keeps them as the bound of every refresh.
/// </summary>
public sealed class CodeResourceIndicatorTests : EndToEndTest
{
    private const string Orders = "https://orders.example.test/";
    private const string Reports = "https://reports.example.test/api";
    private const string Billing = "https://billing.example.test/";

    [Test]
    public async Task CodeWithResources_RedeemedWithoutResource_HasAllOfThemAsAudience()
    {
        var client = await AddClientAsync(Orders, Reports, Billing);
        var code = await Clients.IssueCodeAsync(client.ClientId, resources: [Orders, Reports]);

        var response = await ExchangeAsync(client, code);

        Assert.That(response.IsError, Is.False, response.Raw);
        Assert.That((await ValidateAsync(response.AccessToken!, Orders)).Audiences, Is.EquivalentTo(new[] { Orders, Reports }));
    }

    [Test]
    public async Task CodeWithResources_RedeemedWithOneOfThem_HasOnlyThatOneAsAudience()
    {
        var client = await AddClientAsync(Orders, Reports, Billing);
        var code = await Clients.IssueCodeAsync(client.ClientId, resources: [Orders, Reports]);

        var response = await ExchangeAsync(client, code, Orders);

        Assert.That(response.IsError, Is.False, response.Raw);
        Assert.That((await ValidateAsync(response.AccessToken!, Orders)).Audiences, Is.EqualTo(new[] { Orders }));
    }

    [Test]
    public async Task CodeWithResources_RedeemedWithARegisteredResourceNotOnTheCode_IsInvalidTarget_AndTheCodeStaysRedeemable()
    {
        var client = await AddClientAsync(Orders, Reports, Billing);
        var code = await Clients.IssueCodeAsync(client.ClientId, resources: [Orders, Reports]);

        var refused = await ExchangeAsync(client, code, Billing);
        await OAuthAssert.ErrorAsync(refused.HttpResponse!, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidTarget);

        var redeemed = await ExchangeAsync(client, code);
        Assert.That(redeemed.IsError, Is.False, "the refused request must not consume the code: " + redeemed.Raw);
        Assert.That((await ValidateAsync(redeemed.AccessToken!, Orders)).Audiences, Is.EquivalentTo(new[] { Orders, Reports }));
    }

    [Test]
    public async Task CodeWithAResourceNoLongerRegistered_IsInvalidTarget_ButRedeemableForTheOthers()
    {
        var client = await AddClientAsync(Orders, Reports);
        var code = await Clients.IssueCodeAsync(client.ClientId, resources: [Orders, Reports]);
        await RegisterResourcesAsync(client, Orders);

        var refused = await ExchangeAsync(client, code);
        await OAuthAssert.ErrorAsync(refused.HttpResponse!, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidTarget);

        var redeemed = await ExchangeAsync(client, code, Orders);
        Assert.That(redeemed.IsError, Is.False, redeemed.Raw);
        Assert.That((await ValidateAsync(redeemed.AccessToken!, Orders)).Audiences, Is.EqualTo(new[] { Orders }));
    }

    [Test]
    public async Task CodeWithoutResources_RedeemedWithARegisteredResource_HasItAsAudience()
    {
        var client = await AddClientAsync(Orders, Reports);
        var code = await Clients.IssueCodeAsync(client.ClientId);

        var response = await ExchangeAsync(client, code, Reports);

        Assert.That(response.IsError, Is.False, response.Raw);
        Assert.That((await ValidateAsync(response.AccessToken!, Reports)).Audiences, Is.EqualTo(new[] { Reports }));
    }

    [Test]
    public async Task CodeWithoutResources_RedeemedWithAnUnregisteredResource_IsInvalidTarget()
    {
        var client = await AddClientAsync(Orders);
        var code = await Clients.IssueCodeAsync(client.ClientId);

        var refused = await ExchangeAsync(client, code, Billing);

        await OAuthAssert.ErrorAsync(refused.HttpResponse!, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidTarget);
    }

    [Test]
    public async Task CodeWithoutResources_RedeemedWithoutResource_HasTheDefaultAudience()
    {
        var client = await AddClientAsync(Orders);
        var code = await Clients.IssueCodeAsync(client.ClientId);

        var response = await ExchangeAsync(client, code);

        Assert.That(response.IsError, Is.False, response.Raw);
        Assert.That((await ValidateAsync(response.AccessToken!, ServiceHost.Audience)).Audiences, Is.EqualTo(new[] { ServiceHost.Audience }));
    }

    [Test]
    public async Task RefreshOfAGrantWithResources_WithOneOfThem_HasOnlyThatOneAsAudience()
    {
        var client = await AddClientAsync(Orders, Reports, Billing);
        var refreshToken = await RedeemForRefreshTokenAsync(client, Orders, Reports);

        var refreshed = await RefreshAsync(client, refreshToken, Reports);

        Assert.That(refreshed.IsError, Is.False, refreshed.Raw);
        Assert.That((await ValidateAsync(refreshed.AccessToken!, Reports)).Audiences, Is.EqualTo(new[] { Reports }));
    }

    [Test]
    public async Task RefreshOfAGrantRedeemedForOneResource_WithoutResource_HasAllTheGrantsResourcesAsAudience()
    {
        var client = await AddClientAsync(Orders, Reports, Billing);
        var code = await Clients.IssueCodeAsync(client.ClientId, resources: [Orders, Reports]);
        var redeemed = await ExchangeAsync(client, code, Orders);
        Assert.That(redeemed.RefreshToken, Is.Not.Null, redeemed.Raw);

        var refreshed = await RefreshAsync(client, redeemed.RefreshToken!);

        Assert.That(refreshed.IsError, Is.False, refreshed.Raw);
        Assert.That((await ValidateAsync(refreshed.AccessToken!, Reports)).Audiences, Is.EquivalentTo(new[] { Orders, Reports }), "narrowing one access token does not narrow the grant");
    }

    [Test]
    public async Task RefreshOfAGrantWithResources_WithARegisteredResourceNotOnTheGrant_IsInvalidTarget_AndRotatesNothing()
    {
        var client = await AddClientAsync(Orders, Reports, Billing);
        var refreshToken = await RedeemForRefreshTokenAsync(client, Orders, Reports);

        var refused = await RefreshAsync(client, refreshToken, Billing);
        await OAuthAssert.ErrorAsync(refused.HttpResponse!, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidTarget);

        var refreshed = await RefreshAsync(client, refreshToken, Orders);
        Assert.That(refreshed.IsError, Is.False, "the refused request must not rotate the refresh token: " + refreshed.Raw);
        Assert.That((await ValidateAsync(refreshed.AccessToken!, Orders)).Audiences, Is.EqualTo(new[] { Orders }));
    }

    private async Task<string> RedeemForRefreshTokenAsync(RegisteredClient client, params string[] codeResources)
    {
        var redeemed = await ExchangeAsync(client, await Clients.IssueCodeAsync(client.ClientId, resources: codeResources));
        Assert.That(redeemed.RefreshToken, Is.Not.Null, redeemed.Raw);
        return redeemed.RefreshToken!;
    }

    private async Task<RegisteredClient> AddClientAsync(params string[] resources)
    {
        var client = await Clients.AddConfidentialAsync(grantTypes: TestClients.WithRefreshTokens);
        await RegisterResourcesAsync(client, resources);
        return client;
    }

    /// <summary>What an operator's <c>tokenctl client add --replace --resource ...</c> does to the registration.</summary>
    private async Task RegisterResourcesAsync(RegisteredClient client, params string[] resources)
    {
        var store = Host.Services.GetRequiredService<ClientStore>();
        var registered = (await store.FindAsync(client.ClientId, CancellationToken.None))!;
        await store.SaveAsync(registered with { AllowedResources = resources.ToHashSet(StringComparer.Ordinal) }, replace: true, CancellationToken.None);
    }

    private Task<TokenResponse> ExchangeAsync(RegisteredClient client, IssuedCode code, params string[] resources) =>
        CodeRedemption.RedeemAsync(Http, Host.TokenEndpoint, client, code, resources: resources);

    private Task<TokenResponse> RefreshAsync(RegisteredClient client, string refreshToken, params string[] resources) =>
        CodeRedemption.RefreshAsync(Http, Host.TokenEndpoint, client, refreshToken, resources: resources);

    private async Task<JsonWebToken> ValidateAsync(string accessToken, string audience)
    {
        var validation = await JwtValidation.ValidateAsync(Http, Host.JwksUri, accessToken, ServiceHost.Issuer, audience);
        Assert.That(validation.IsValid, Is.True, validation.Exception?.Message);
        return (JsonWebToken)validation.SecurityToken;
    }
}
