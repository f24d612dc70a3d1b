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
    public async Task FiftyConcurrentRedemptionsOfOneCode_ExactlyOneSucceedsInEachOfTwentyRounds()
    {
        var client = await Clients.AddConfidentialAsync();
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = Redeemers });
        var outcomes = new List<string>();

        for (var round = 0; round < Rounds; round++)
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
        }
    }
}
