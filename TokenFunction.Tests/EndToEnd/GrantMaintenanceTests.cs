using System.Diagnostics.Metrics;
using System.Net;
using Azure.Data.Tables;
using Duende.IdentityModel.Client;
using Microsoft.Extensions.DependencyInjection;
using TokenFunction.Protocol;
using TokenFunction.Grants;
using TokenFunction.Storage;
using TokenFunction.Tests.Infrastructure;

namespace TokenFunction.Tests.EndToEnd;

/// <summary>The purge (expiry index, no table scan) and the operator's revoke-all, against the running service.</summary>
public sealed class GrantMaintenanceTests : EndToEndTest
{
    protected override bool UsesFakeClock => true;

    private GrantMaintenance Maintenance => Host.Services.GetRequiredService<GrantMaintenance>();

    [Test]
    public async Task Purge_RemovesExpiredCodesAndGrantsPastTheirAbsoluteLifetime_AndLeavesLiveRowsUntouched()
    {
        var longLived = await Clients.AddConfidentialAsync(grantTypes: TestClients.WithRefreshTokens, refreshIdleSeconds: 86_400, refreshAbsoluteSeconds: 7 * 86_400);
        var shortLived = await Clients.AddConfidentialAsync(grantTypes: TestClients.WithRefreshTokens, refreshIdleSeconds: 600, refreshAbsoluteSeconds: 900);

        var live = await RedeemAsync(longLived);
        var liveRotated = await RefreshAsync(longLived, live.RefreshToken!);
        var dying = await RedeemAsync(shortLived);
        var dyingRotated = await RefreshAsync(shortLived, dying.RefreshToken!);
        Assert.That(dyingRotated.IsError, Is.False, dyingRotated.Raw);
        var neverRedeemed = await Clients.IssueCodeAsync(longLived.ClientId, lifetime: TimeSpan.FromSeconds(60));
        var liveRowsBefore = await RowKeysAsync(GrantOf(live));

        Clock.Advance(TimeSpan.FromHours(2));
        var report = await Maintenance.PurgeAsync(batchSize: 50, maxBatches: 1000, CancellationToken.None);

        Assert.Multiple(async () =>
        {
            Assert.That(report.GrantsDeleted, Is.GreaterThanOrEqualTo(2), report.ToString());
            Assert.That(await RowKeysAsync(GrantOf(dying)), Is.Empty, "the grant past its absolute lifetime, with its retired and live refresh rows");
            Assert.That(await RowKeysAsync(GrantKeys.ForCode(neverRedeemed.Code)), Is.Empty, "the expired, never redeemed code");
            Assert.That(await RowKeysAsync(GrantOf(live)), Is.EquivalentTo(liveRowsBefore), "the live grant keeps every row, retired ones included");
            Assert.That(await DueIndexRowsAsync(), Is.Empty, "no due index row is left");
        });
        var stillWorks = await RefreshAsync(longLived, liveRotated.RefreshToken!);
        Assert.That(stillWorks.IsError, Is.False, stillWorks.Raw);
    }

    [Test]
    public async Task Purge_CountsItsRunAndTheRowsItDeleted_ForThePurgeNotRunningAlert()
    {
        var client = await Clients.AddConfidentialAsync(grantTypes: TestClients.WithRefreshTokens, refreshIdleSeconds: 600, refreshAbsoluteSeconds: 900);
        await RedeemAsync(client);
        Clock.Advance(TimeSpan.FromHours(2));
        var measured = new List<(string Name, long Value, string? Outcome)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "TokenFunction" && instrument.Name.StartsWith("oauth.purge.", StringComparison.Ordinal))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var outcome = tags.ToArray().FirstOrDefault(t => t.Key == "outcome").Value as string;
            lock (measured)
            {
                measured.Add((instrument.Name, value, outcome));
            }
        });
        listener.Start();

        var report = await Maintenance.PurgeAsync(batchSize: 50, maxBatches: 1000, CancellationToken.None);

        lock (measured)
        {
            Assert.Multiple(() =>
            {
                Assert.That(measured.Where(m => m.Name == "oauth.purge.runs").Select(m => (m.Value, m.Outcome)), Is.EqualTo(new[] { (1L, (string?)"ok") }));
                Assert.That(measured.Where(m => m.Name == "oauth.purge.rows.deleted").Sum(m => m.Value), Is.EqualTo(report.RowsDeleted + report.AssertionIdsDeleted + report.DpopProofIdsDeleted).And.GreaterThan(0));
            });
        }
    }

    [Test]
    public async Task Purge_RemovesARevokedGrantWithAllItsRefreshTokens()
    {
        var client = await Clients.AddConfidentialAsync(grantTypes: TestClients.WithRefreshTokens, refreshIdleSeconds: 86_400, refreshAbsoluteSeconds: 7 * 86_400);
        var subject = "ivan-" + Guid.NewGuid().ToString("N");
        var redeemed = await RedeemAsync(client, subject);
        var rotated = await RefreshAsync(client, redeemed.RefreshToken!);
        Assert.That(rotated.IsError, Is.False, rotated.Raw);
        Assert.That(await Maintenance.RevokeAllAsync(GrantIndexKeys.BySubject(subject), CancellationToken.None), Is.EqualTo(new RevokeReport(Revoked: 1, Skipped: 0)));

        Clock.Advance(TimeSpan.FromHours(1));
        await Maintenance.PurgeAsync(batchSize: 50, maxBatches: 1000, CancellationToken.None);

        Assert.That(await RowKeysAsync(GrantOf(redeemed)), Is.Empty);
        var refused = await RefreshAsync(client, rotated.RefreshToken!);
        await OAuthAssert.ErrorAsync(refused.HttpResponse!, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidGrant);
    }

    [Test]
    public async Task CodeExchange_WritesNoIndexRow_AndThePurgeMovesTheCodesExpiryRowToTheHourTheGrantDies()
    {
        var client = await Clients.AddConfidentialAsync(grantTypes: TestClients.WithRefreshTokens, refreshIdleSeconds: 3 * 3600, refreshAbsoluteSeconds: 86_400);
        var subject = "judy-" + Guid.NewGuid().ToString("N");
        var code = await Clients.IssueCodeAsync(client.ClientId, subject: subject);
        var grant = GrantKeys.ForCode(code.Code);
        var issued = await IndexRowsOfAsync(grant);

        var redeemed = await CodeRedemption.RedeemAsync(Http, Host.TokenEndpoint, client, code);
        Assert.That(redeemed.RefreshToken, Is.Not.Null, redeemed.Raw);
        var redeemedAt = Clock.GetUtcNow();
        var exchanged = await IndexRowsOfAsync(grant);

        // Two hours: the code's row (at most an hour ahead) is due, the refresh token (three hours) is still live.
        Clock.Advance(TimeSpan.FromHours(2));
        await Maintenance.PurgeAsync(batchSize: 50, maxBatches: 1000, CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(issued, Is.EquivalentTo(new[]
            {
                $"{TableNames.Expiry}/{GrantIndexKeys.HourBucket(redeemedAt + TimeSpan.FromMinutes(5))}",
                $"{TableNames.GrantIndex}/{GrantIndexKeys.BySubject(subject)}",
                $"{TableNames.GrantIndex}/{GrantIndexKeys.ByClient(client.ClientId)}",
            }), "the code issue indexes the grant: at the code's expiry, by subject, by client");
            Assert.That(exchanged, Is.EquivalentTo(issued), "the exchange writes no index row");
            Assert.That(await IndexRowsOfAsync(grant), Is.EquivalentTo(new[]
            {
                $"{TableNames.Expiry}/{GrantIndexKeys.HourBucket(redeemedAt + TimeSpan.FromHours(3))}",
                $"{TableNames.GrantIndex}/{GrantIndexKeys.BySubject(subject)}",
                $"{TableNames.GrantIndex}/{GrantIndexKeys.ByClient(client.ClientId)}",
            }), "the purge moved the due row to the hour the refresh token goes idle");
            Assert.That(await RowKeysAsync(grant), Is.EqualTo(new[] { AuthorizationCodeEntity.Row }), "the live grant keeps its root, which holds its first refresh token");
        }

        Assert.That(await Maintenance.RevokeAllAsync(GrantIndexKeys.BySubject(subject), CancellationToken.None), Is.EqualTo(new RevokeReport(Revoked: 1, Skipped: 0)));
        var refused = await RefreshAsync(client, redeemed.RefreshToken!);
        await OAuthAssert.ErrorAsync(refused.HttpResponse!, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidGrant);
    }

    [Test]
    public async Task TwoPurgesAtOnce_BothFinishAndDeleteEachGrantOnce()
    {
        var client = await Clients.AddConfidentialAsync(grantTypes: TestClients.WithRefreshTokens, refreshIdleSeconds: 60, refreshAbsoluteSeconds: 60);
        var grants = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            grants.Add(GrantOf(await RedeemAsync(client)));
        }

        Clock.Advance(TimeSpan.FromHours(2));
        var reports = await Task.WhenAll(
            Maintenance.PurgeAsync(batchSize: 5, maxBatches: 1000, CancellationToken.None),
            Maintenance.PurgeAsync(batchSize: 5, maxBatches: 1000, CancellationToken.None));

        foreach (var grant in grants)
        {
            Assert.That(await RowKeysAsync(grant), Is.Empty);
        }

        Assert.That(reports.Sum(r => r.GrantsDeleted), Is.GreaterThanOrEqualTo(grants.Count));
        Assert.That(await DueIndexRowsAsync(), Is.Empty);
    }

    [Test]
    public async Task Purge_ToleratesIndexRowsWhoseGrantIsAlreadyGone()
    {
        var bucket = GrantIndexKeys.HourBucket(Clock.GetUtcNow().AddHours(-3));
        var expiry = new TableServiceClient(TestEnvironment.Azurite.ConnectionString).GetTableClient(TableNames.Expiry);
        await expiry.UpsertEntityAsync(new TableEntity(bucket, GrantKeys.ForCode(Guid.NewGuid().ToString())));

        await Maintenance.PurgeAsync(batchSize: 50, maxBatches: 1000, CancellationToken.None);

        Assert.That(await DueIndexRowsAsync(), Is.Empty);
    }

    [Test]
    public async Task RevokeAllOfASubject_StopsEveryRefreshTokenOfThatSubjectOnly()
    {
        var client = await Clients.AddConfidentialAsync(grantTypes: TestClients.WithRefreshTokens);
        var subject = "carol-" + Guid.NewGuid().ToString("N");
        var first = await RedeemAsync(client, subject);
        var second = await RedeemAsync(client, subject);
        var someoneElse = await RedeemAsync(client, "dave-" + Guid.NewGuid().ToString("N"));

        var revoked = await Maintenance.RevokeAllAsync(GrantIndexKeys.BySubject(subject), CancellationToken.None);

        Assert.That(revoked, Is.EqualTo(new RevokeReport(Revoked: 2, Skipped: 0)));
        foreach (var token in new[] { first.RefreshToken!, second.RefreshToken! })
        {
            var refused = await RefreshAsync(client, token);
            await OAuthAssert.ErrorAsync(refused.HttpResponse!, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidGrant);
        }

        Assert.That((await RefreshAsync(client, someoneElse.RefreshToken!)).IsError, Is.False);
    }

    [Test]
    public async Task RevokeAllOfASubject_AlsoStopsTheirCodesNotYetRedeemed()
    {
        var client = await Clients.AddConfidentialAsync(grantTypes: TestClients.WithRefreshTokens);
        var subject = "heidi-" + Guid.NewGuid().ToString("N");
        var code = await Clients.IssueCodeAsync(client.ClientId, subject: subject);

        var revoked = await Maintenance.RevokeAllAsync(GrantIndexKeys.BySubject(subject), CancellationToken.None);

        Assert.That(revoked, Is.EqualTo(new RevokeReport(Revoked: 1, Skipped: 0)));
        var refused = await CodeRedemption.RedeemAsync(Http, Host.TokenEndpoint, client, code);
        await OAuthAssert.ErrorAsync(refused.HttpResponse!, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidGrant);
    }

    [Test]
    public async Task RevokeAllOfAClient_StopsEveryRefreshTokenOfThatClient()
    {
        var client = await Clients.AddConfidentialAsync(grantTypes: TestClients.WithRefreshTokens);
        var tokens = new[] { await RedeemAsync(client, "erin"), await RedeemAsync(client, "frank") };

        var revoked = await Maintenance.RevokeAllAsync(GrantIndexKeys.ByClient(client.ClientId), CancellationToken.None);

        Assert.That(revoked, Is.EqualTo(new RevokeReport(Revoked: 2, Skipped: 0)));
        foreach (var token in tokens)
        {
            var refused = await RefreshAsync(client, token.RefreshToken!);
            await OAuthAssert.ErrorAsync(refused.HttpResponse!, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidGrant);
        }
    }

    private async Task<TokenResponse> RedeemAsync(RegisteredClient client, string subject = "alice")
    {
        var response = await CodeRedemption.RedeemAsync(Http, Host.TokenEndpoint, client, await Clients.IssueCodeAsync(client.ClientId, subject: subject));
        Assert.That(response.RefreshToken, Is.Not.Null, response.Raw);
        return response;
    }

    private Task<TokenResponse> RefreshAsync(RegisteredClient client, string token) =>
        CodeRedemption.RefreshAsync(Http, Host.TokenEndpoint, client, token);

    private static string GrantOf(TokenResponse response) => response.RefreshToken!.Split('.')[0];

    private static async Task<List<string>> RowKeysAsync(string grantId) =>
        await new TableServiceClient(TestEnvironment.Azurite.ConnectionString).GetTableClient(TableNames.Grants)
            .QueryAsync<TableEntity>(e => e.PartitionKey == grantId).Select(e => e.RowKey).ToListAsync();

    /// <summary>The grant's rows in both index tables, as table/PartitionKey.</summary>
    private static async Task<List<string>> IndexRowsOfAsync(string grantId)
    {
        var service = new TableServiceClient(TestEnvironment.Azurite.ConnectionString);
        var rows = new List<string>();
        foreach (var table in new[] { TableNames.Expiry, TableNames.GrantIndex })
        {
            rows.AddRange(await service.GetTableClient(table)
                .QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"RowKey eq {grantId}")).Select(e => table + "/" + e.PartitionKey).ToListAsync());
        }

        return rows;
    }

    private async Task<List<string>> DueIndexRowsAsync()
    {
        var due = GrantIndexKeys.HourBucket(Clock.GetUtcNow());
        return await new TableServiceClient(TestEnvironment.Azurite.ConnectionString).GetTableClient(TableNames.Expiry)
            .QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey lt {due}")).Select(e => e.PartitionKey + "/" + e.RowKey).ToListAsync();
    }
}
