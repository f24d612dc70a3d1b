using System.Net;
using Azure.Data.Tables;
using Duende.IdentityModel.Client;
using TokenFunction.Protocol;
using TokenFunction.Storage;
using TokenFunction.Tests.Infrastructure;

namespace TokenFunction.Tests.EndToEnd;

/// <summary>
/// RFC 7009 token revocation over HTTP against Azurite, sent as a real client sends it (Duende.IdentityModel):
/// revoking a refresh token revokes its grant; anything else an authenticated client sends is answered 200 and revokes
/// nothing, so the endpoint tells nobody whether a token exists.
/// </summary>
public sealed class RevocationTests : EndToEndTest
{
    private const string UnknownRefreshToken = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB";

    [TestCase(ClientCredentialStyle.AuthorizationHeader, TestName = "RevokingARefreshToken_RevokesItsGrant_AndItsRefreshTokensFailWithInvalidGrant")]
    [TestCase(ClientCredentialStyle.PostBody, TestName = "RevokingARefreshToken_WithClientSecretPost_RevokesItsGrant")]
    public async Task RevokingARefreshToken_RevokesItsGrant(ClientCredentialStyle style)
    {
        var (client, first) = await StartGrantAsync();
        var second = await RefreshAsync(client, first.RefreshToken!);
        Assert.That(second.IsError, Is.False, second.Raw);

        var response = await RevokeAsync(client, second.RefreshToken!, "refresh_token", style);

        await AssertRevocationAnsweredAsync(response);
        Assert.That((await RootAsync(second.RefreshToken!)).RevokedAt, Is.Not.Null, "the grant's root row is revoked");
        await OAuthAssert.ErrorAsync((await RefreshAsync(client, second.RefreshToken!)).HttpResponse!, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidGrant);
        await OAuthAssert.ErrorAsync((await RefreshAsync(client, first.RefreshToken!)).HttpResponse!, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidGrant);
    }

    /// <summary>Decision: any refresh token of the grant, live or retired, revokes it; the client means to end the grant.</summary>
    [Test]
    public async Task RevokingARetiredRefreshToken_RevokesTheGrant_AndItsLiveSuccessorFails()
    {
        var (client, first) = await StartGrantAsync();
        var second = await RefreshAsync(client, first.RefreshToken!);

        await AssertRevocationAnsweredAsync(await RevokeAsync(client, first.RefreshToken!));

        await OAuthAssert.ErrorAsync((await RefreshAsync(client, second.RefreshToken!)).HttpResponse!, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidGrant);
    }

    /// <summary>
    /// The revocation's conditional update and every rotation are conditional on the root's ETag: whichever lands
    /// second re-reads, so no refresh token is written after the revocation and none issued around it works.
    /// </summary>
    [Test]
    public async Task RevocationRacingRefreshes_NoRefreshTokenIsWrittenAfterIt_AndNoneWorks()
    {
        var (client, first) = await StartGrantAsync();
        var refreshes = Enumerable.Range(0, 10).Select(async i =>
        {
            await Task.Delay(i);
            return await RefreshAsync(client, first.RefreshToken!);
        }).ToList();
        var revocation = Task.Run(async () =>
        {
            await Task.Delay(3);
            return await RevokeAsync(client, first.RefreshToken!);
        });

        var responses = await Task.WhenAll(refreshes);
        await AssertRevocationAnsweredAsync(await revocation);

        var root = await RootAsync(first.RefreshToken!);
        var rows = await new TableServiceClient(TestEnvironment.Azurite.ConnectionString).GetTableClient(TableNames.Grants)
            .QueryAsync<TableEntity>(e => e.PartitionKey == root.PartitionKey).ToListAsync();
        Assert.Multiple(() =>
        {
            Assert.That(root.RevokedAt, Is.Not.Null);
            Assert.That(rows.Where(r => r.RowKey != AuthorizationCodeEntity.Row).Select(r => r.Timestamp), Is.All.LessThanOrEqualTo(root.Timestamp!.Value), "a refresh row newer than the revocation");
        });
        foreach (var token in responses.Where(r => r.RefreshToken is not null).Select(r => r.RefreshToken!).Append(first.RefreshToken!).Distinct())
        {
            Assert.That((await RefreshAsync(client, token)).Error, Is.EqualTo(OAuthErrorCodes.InvalidGrant));
        }
    }

    [TestCase("access_token", TestName = "RevokingARefreshToken_WithHintAccessToken_StillFindsAndRevokesIt")]
    [TestCase("urn:example:unknown-type", TestName = "RevokingARefreshToken_WithAnUnknownHint_IgnoresTheHint")]
    public async Task RevokingARefreshToken_WhateverTheHint_RevokesIt(string hint)
    {
        var (client, first) = await StartGrantAsync();

        await AssertRevocationAnsweredAsync(await RevokeAsync(client, first.RefreshToken!, hint));

        await OAuthAssert.ErrorAsync((await RefreshAsync(client, first.RefreshToken!)).HttpResponse!, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidGrant);
    }

    /// <summary>Access tokens are self-contained JWTs: there is nothing stored to revoke, they end at their expiry.</summary>
    [Test]
    public async Task RevokingAnAccessToken_Answers200_AndRevokesNothing()
    {
        var (client, first) = await StartGrantAsync();

        await AssertRevocationAnsweredAsync(await RevokeAsync(client, first.AccessToken!, "access_token"));

        Assert.That((await RootAsync(first.RefreshToken!)).RevokedAt, Is.Null);
        Assert.That((await RefreshAsync(client, first.RefreshToken!)).IsError, Is.False, "the grant goes on");
    }

    [TestCase(UnknownRefreshToken, TestName = "RevokingAnUnknownRefreshToken_Answers200")]
    [TestCase("not-a-token-of-ours", TestName = "RevokingAMalformedToken_Answers200")]
    public async Task RevokingATokenNobodyIssued_Answers200(string token)
    {
        var client = await Clients.AddConfidentialAsync(grantTypes: TestClients.WithRefreshTokens);

        await AssertRevocationAnsweredAsync(await RevokeAsync(client, token));
    }

    [Test]
    public async Task RevokingAnAlreadyRevokedToken_Answers200()
    {
        var (client, first) = await StartGrantAsync();
        await AssertRevocationAnsweredAsync(await RevokeAsync(client, first.RefreshToken!));
        var revokedAt = (await RootAsync(first.RefreshToken!)).RevokedAt;

        await AssertRevocationAnsweredAsync(await RevokeAsync(client, first.RefreshToken!));

        Assert.That((await RootAsync(first.RefreshToken!)).RevokedAt, Is.EqualTo(revokedAt), "the first revocation stands unchanged");
    }

    [Test]
    public async Task RevokingAnotherClientsToken_Answers200_AndTheTokenStillWorksForItsOwner()
    {
        var (owner, first) = await StartGrantAsync();
        var other = await Clients.AddConfidentialAsync(grantTypes: TestClients.WithRefreshTokens);

        await AssertRevocationAnsweredAsync(await RevokeAsync(other, first.RefreshToken!));

        Assert.That((await RootAsync(first.RefreshToken!)).RevokedAt, Is.Null);
        Assert.That((await RefreshAsync(owner, first.RefreshToken!)).IsError, Is.False, "the owner's token is untouched");
    }

    [Test]
    public async Task PublicClient_RevokesItsOwnTokenWithItsClientIdOnly()
    {
        var client = await Clients.AddPublicAsync(grantTypes: TestClients.WithRefreshTokens);
        var first = await CodeRedemption.RedeemAsync(Http, Host.TokenEndpoint, client, await Clients.IssueCodeAsync(client.ClientId));
        Assert.That(first.RefreshToken, Is.Not.Null, first.Raw);

        await AssertRevocationAnsweredAsync(await RevokeAsync(client, first.RefreshToken!));

        await OAuthAssert.ErrorAsync((await RefreshAsync(client, first.RefreshToken!)).HttpResponse!, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidGrant);
    }

    [TestCase(ClientCredentialStyle.AuthorizationHeader, true, TestName = "ConfidentialClientWithAWrongSecretInBasic_IsInvalidClientWithABasicChallenge_AndRevokesNothing")]
    [TestCase(ClientCredentialStyle.PostBody, false, TestName = "ConfidentialClientWithAWrongSecretInTheBody_IsInvalidClient_AndRevokesNothing")]
    public async Task ConfidentialClientWithAWrongSecret_IsInvalidClient(ClientCredentialStyle style, bool basicChallenge)
    {
        var (client, first) = await StartGrantAsync();

        var response = await RevokeAsync(client with { Secret = ClientSecretHasherSecret() }, first.RefreshToken!, style: style);

        await OAuthAssert.ClientAuthenticationFailedAsync(response.HttpResponse!, Logs, "wrong client secret", basicChallenge);
        Assert.That((await RootAsync(first.RefreshToken!)).RevokedAt, Is.Null);
    }

    [Test]
    public async Task MissingToken_IsInvalidRequest()
    {
        var client = await Clients.AddConfidentialAsync();

        using var response = await PostAsync(new Dictionary<string, string> { ["token_type_hint"] = "refresh_token" }, BasicOf(client.ClientId, client.Secret!));

        await OAuthAssert.ErrorAsync(response, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidRequest);
    }

    [Test]
    public async Task TokenInTheQueryString_IsInvalidRequest_AndRevokesNothing()
    {
        var (client, first) = await StartGrantAsync();

        using var response = await PostAsync(new Dictionary<string, string> { ["client_id"] = client.ClientId }, BasicOf(client.ClientId, client.Secret!), "?token=" + Uri.EscapeDataString(first.RefreshToken!));

        await OAuthAssert.ErrorAsync(response, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidRequest);
        Assert.That((await RootAsync(first.RefreshToken!)).RevokedAt, Is.Null);
    }

    [Test]
    public async Task Get_IsMethodNotAllowed()
    {
        using var response = await Http.GetAsync(Host.RevocationEndpoint);

        await OAuthAssert.ErrorAsync(response, HttpStatusCode.MethodNotAllowed, OAuthErrorCodes.InvalidRequest);
        Assert.That(response.Content.Headers.Allow, Is.EquivalentTo(new[] { "POST" }));
    }

    private static async Task AssertRevocationAnsweredAsync(TokenRevocationResponse response)
    {
        var http = response.HttpResponse!;
        var body = await http.Content.ReadAsStringAsync();
        Assert.Multiple(() =>
        {
            Assert.That(http.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
            Assert.That(response.IsError, Is.False, response.Error);
            Assert.That(body, Is.Empty, "RFC 7009 section 2.2: the content is ignored; this service sends none");
            Assert.That(http.Headers.CacheControl?.NoStore, Is.True, "Cache-Control: no-store");
        });
    }

    private async Task<(RegisteredClient Client, TokenResponse First)> StartGrantAsync()
    {
        var client = await Clients.AddConfidentialAsync(grantTypes: TestClients.WithRefreshTokens);
        var first = await CodeRedemption.RedeemAsync(Http, Host.TokenEndpoint, client, await Clients.IssueCodeAsync(client.ClientId));
        Assert.That(first.RefreshToken, Is.Not.Null, first.Raw);
        return (client, first);
    }

    private Task<TokenRevocationResponse> RevokeAsync(
        RegisteredClient client, string token, string? hint = null, ClientCredentialStyle style = ClientCredentialStyle.AuthorizationHeader)
    {
        var request = new TokenRevocationRequest
        {
            Address = Host.RevocationEndpoint.ToString(),
            ClientId = client.ClientId,
            ClientSecret = client.Secret,
            ClientCredentialStyle = client.Secret is null ? ClientCredentialStyle.PostBody : style,
            Token = token,
        };
        if (hint is not null)
        {
            request.TokenTypeHint = hint;
        }

        return Http.RevokeTokenAsync(request);
    }

    private Task<HttpResponseMessage> PostAsync(Dictionary<string, string> form, string basic, string? query = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, Host.RevocationEndpoint + (query ?? string.Empty))
        {
            Content = new FormUrlEncodedContent(form),
        };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", basic);
        return Http.SendAsync(request);
    }

    private Task<TokenResponse> RefreshAsync(RegisteredClient client, string refreshToken) =>
        CodeRedemption.RefreshAsync(Http, Host.TokenEndpoint, client, refreshToken);

    private static string ClientSecretHasherSecret() => TokenFunction.Clients.ClientSecretHasher.GenerateSecret();

    private static async Task<AuthorizationCodeEntity> RootAsync(string refreshToken) =>
        (await new TableServiceClient(TestEnvironment.Azurite.ConnectionString).GetTableClient(TableNames.Grants)
            .GetEntityAsync<AuthorizationCodeEntity>(refreshToken.Split('.')[0], AuthorizationCodeEntity.Row)).Value;
}
