using System.Net;
using TokenFunction.Protocol;
using TokenFunction.Tests.Infrastructure;

namespace TokenFunction.Tests.EndToEnd;

/// <summary>A code is single-use under concurrency: of many simultaneous redemptions exactly one wins.</summary>
public sealed class ConcurrentRedemptionTests : EndToEndTest
{
    private const int Redeemers = 50;
    private const int Rounds = 20;

    [Test]
    public async Task FiftyConcurrentRedemptionsOfOneCode_ExactlyOneSucceedsInEachOfTwentyRounds() =>
        await RunRoundsAsync(await Clients.AddConfidentialAsync(), Rounds);

    /// <summary>With refresh tokens the consume is a transaction (code row If-Match + Add of the refresh row).</summary>
    [Test]
    public async Task FiftyConcurrentRedemptionsWithRefreshTokens_ExactlyOneSucceedsAndOnlyItsRefreshTokenExists()
    {
        var client = await Clients.AddConfidentialAsync(grantTypes: TestClients.WithRefreshTokens);
        var winners = await RunRoundsAsync(client, 5);

        var grants = new Azure.Data.Tables.TableServiceClient(TestEnvironment.Azurite.ConnectionString).GetTableClient(TokenFunction.Storage.TableNames.Grants);
        foreach (var winner in winners)
        {
            Assert.That(winner.RefreshToken, Is.Not.Null);
            var grantId = winner.RefreshToken!.Split('.')[0];
            var rows = await grants.QueryAsync<Azure.Data.Tables.TableEntity>(e => e.PartitionKey == grantId).Select(e => e.RowKey).ToListAsync();
            Assert.That(rows, Is.EquivalentTo(new[] { "code", TokenFunction.Storage.RefreshTokens.RowKeyOf(winner.RefreshToken) }), "the losers' refresh rows were never written");
            var refreshed = await CodeRedemption.RefreshAsync(Http, Host.TokenEndpoint, client, winner.RefreshToken);
            Assert.That(refreshed.Error, Is.EqualTo(OAuthErrorCodes.InvalidGrant), "the losers' replays revoked the grant: " + refreshed.Raw);
        }
    }

    private async Task<List<Duende.IdentityModel.Client.TokenResponse>> RunRoundsAsync(RegisteredClient client, int rounds)
    {
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = Redeemers });
        var outcomes = new List<string>();

        var winners = new List<Duende.IdentityModel.Client.TokenResponse>();
        for (var round = 0; round < rounds; round++)
        {
            var code = await Clients.IssueCodeAsync(client.ClientId);
            using var start = new SemaphoreSlim(0);
            var redemptions = Enumerable.Range(0, Redeemers).Select(async _ =>
            {
                await start.WaitAsync();
                return await CodeRedemption.RedeemAsync(http, Host.TokenEndpoint, client, code);
            }).ToList();
            start.Release(Redeemers);
            var responses = await Task.WhenAll(redemptions);

            var succeeded = responses.Count(r => r.HttpStatusCode == HttpStatusCode.OK && r.AccessToken is not null);
            var refused = responses.Count(r => r.HttpStatusCode == HttpStatusCode.BadRequest && r.Error == OAuthErrorCodes.InvalidGrant && r.AccessToken is null);
            outcomes.Add($"round {round}: {succeeded} ok, {refused} invalid_grant, others: "
                + string.Join(", ", responses.Where(r => r.HttpStatusCode is not (HttpStatusCode.OK or HttpStatusCode.BadRequest)).Select(r => $"{(int)r.HttpStatusCode} {r.Error}")));
            Assert.That((succeeded, refused), Is.EqualTo((1, Redeemers - 1)), string.Join('\n', outcomes));
            winners.Add(responses.Single(r => r.HttpStatusCode == HttpStatusCode.OK));
        }

        return winners;
    }
}
