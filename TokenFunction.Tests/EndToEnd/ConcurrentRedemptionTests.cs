using System.Net;
using Duende.IdentityModel.Client;
using TokenFunction.Grants;
using TokenFunction.Storage;
using TokenFunction.Tests.Infrastructure;

namespace TokenFunction.Tests.EndToEnd;

/// <summary>
/// A code is redeemed once under concurrency: of many simultaneous redemptions exactly one commits. The same client
/// sending the same code and verifier again is answered as a retry of that one redemption (it may have lost the answer):
/// it gets a fresh access token and the grant's one refresh token, never a second refresh family.
/// </summary>
public sealed class ConcurrentRedemptionTests : EndToEndTest
{
    private const int Redeemers = 50;
    private const int Rounds = 20;

    [Test]
    public async Task FiftyConcurrentRedemptionsOfOneCode_OneCommits_AndEveryOtherIsAnsweredAsItsRetry_InEachOfTwentyRounds()
    {
        var client = await Clients.AddConfidentialAsync();
        for (var round = 0; round < Rounds; round++)
        {
            var (code, responses) = await RedeemConcurrentlyAsync(client);

            Assert.That(responses.Select(Outcome), Is.All.EqualTo("200"), $"round {round}");
            var root = await GrantTable.RootAsync(GrantKeys.ForCode(code.Code));
            Assert.That(root.ContainsKey(nameof(AuthorizationCodeEntity.RevokedAt)), Is.False, "retries of the client's own redemption revoke nothing");
        }
    }

    [Test]
    public async Task FiftyConcurrentRedemptionsWithRefreshTokens_AllGetTheOneRefreshToken_AndOnlyItsRowExists()
    {
        var client = await Clients.AddConfidentialAsync(grantTypes: TestClients.WithRefreshTokens);
        for (var round = 0; round < 5; round++)
        {
            var (code, responses) = await RedeemConcurrentlyAsync(client);

            Assert.That(responses.Select(Outcome), Is.All.EqualTo("200"), $"round {round}");
            var refreshTokens = responses.Select(r => r.RefreshToken).Distinct().ToList();
            Assert.That(refreshTokens, Has.Count.EqualTo(1).And.None.Null, "one refresh family");
            var grantId = GrantKeys.ForCode(code.Code);
            var rows = await GrantTable.RowsAsync(grantId);
            Assert.That(rows.Select(r => r.RowKey), Is.EquivalentTo(new[] { AuthorizationCodeEntity.Row }));
            Assert.That(GrantTable.RefreshKeys(rows), Is.EqualTo(new[] { RefreshTokens.RowKeyOf(refreshTokens[0]!) }), "the losers' refresh tokens were never written");
            var refreshed = await CodeRedemption.RefreshAsync(Http, Host.TokenEndpoint, client, refreshTokens[0]!);
            Assert.That(refreshed.IsError, Is.False, "the grant survived its concurrent redemptions: " + refreshed.Raw);
        }
    }

    private async Task<(IssuedCode Code, TokenResponse[] Responses)> RedeemConcurrentlyAsync(RegisteredClient client)
    {
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = Redeemers });
        var code = await Clients.IssueCodeAsync(client.ClientId);
        using var start = new SemaphoreSlim(0);
        var redemptions = Enumerable.Range(0, Redeemers).Select(async _ =>
        {
            await start.WaitAsync();
            return await CodeRedemption.RedeemAsync(http, Host.TokenEndpoint, client, code);
        }).ToList();
        start.Release(Redeemers);
        var responses = await Task.WhenAll(redemptions);
        var redeemedOnce = await GrantTable.RootAsync(GrantKeys.ForCode(code.Code));
        Assert.That(redeemedOnce.ContainsKey(nameof(AuthorizationCodeEntity.RedemptionId)), Is.True);
        return (code, responses);
    }

    private static string Outcome(TokenResponse response) =>
        response.HttpStatusCode == HttpStatusCode.OK && response.AccessToken is not null ? "200" : $"{(int)response.HttpStatusCode} {response.Error}";
}
