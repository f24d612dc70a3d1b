using System.Net;
using Duende.IdentityModel.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TokenFunction.Functions;
using TokenFunction.Protocol;
using TokenFunction.Grants;
using TokenFunction.Storage;
using TokenFunction.Tests.Infrastructure;

namespace TokenFunction.Tests.EndToEnd;

/// <summary>
/// Rows written by another party can be damaged: a lone surrogate in a text column, a string where a DateTime belongs,
/// a required column left out. Such a row is refused for what it is (never a 500, never a token), logged with the grant's
/// short id and what is wrong, and skipped by every batch job, which finishes the rest and reports the skip.
/// </summary>
public sealed class MalformedRowTests : EndToEndTest
{
    protected override bool UsesFakeClock => true;

    private GrantMaintenance Maintenance => Host.Services.GetRequiredService<GrantMaintenance>();

    [TestCase(Damage.LoneSurrogate, "UTF-16")]
    [TestCase(Damage.WrongType, "ExpiresAt")]
    [TestCase(Damage.MissingColumn, "Subject")]
    public async Task CodeWithADamagedRow_IsInvalidGrant_AndTheLogNamesTheGrantAndTheDamage(Damage damage, string problem)
    {
        var client = await Clients.AddPublicAsync();
        var code = await DamagedRows.IssueCodeAsync(client.ClientId, damage, Clock.GetUtcNow());

        var response = await RedeemAsync(client, code);

        await OAuthAssert.ErrorAsync(response.HttpResponse!, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidGrant);
        var entry = Logs.Entries.Last(e => Equals(e["ClientId"], client.ClientId));
        Assert.Multiple(() =>
        {
            Assert.That(entry.Level, Is.EqualTo(LogLevel.Warning));
            Assert.That(entry["Detail"]?.ToString(), Does.Contain(GrantKeys.ForLog(GrantKeys.ForCode(code.Code))).And.Contain(problem));
        });
    }

    [TestCase(Damage.LoneSurrogate)]
    [TestCase(Damage.WrongType)]
    public async Task RefreshOfAGrantWhoseRootWasDamaged_IsInvalidGrant(Damage damage)
    {
        var client = await Clients.AddPublicAsync(grantTypes: TestClients.WithRefreshTokens);
        var code = await Clients.IssueCodeAsync(client.ClientId);
        var redeemed = await RedeemAsync(client, code);
        await DamagedRows.DamageAsync(TableNames.Grants, GrantKeys.ForCode(code.Code), AuthorizationCodeEntity.Row, damage,
            damage == Damage.WrongType ? nameof(AuthorizationCodeEntity.GrantExpiresAt) : nameof(AuthorizationCodeEntity.Subject));

        var refreshed = await CodeRedemption.RefreshAsync(Http, Host.TokenEndpoint, client, redeemed.RefreshToken!);

        await OAuthAssert.ErrorAsync(refreshed.HttpResponse!, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidGrant);
    }

    [Test]
    public async Task RevocationOfARefreshTokenWhoseGrantRowIsDamaged_Answers200()
    {
        var client = await Clients.AddConfidentialAsync(grantTypes: TestClients.WithRefreshTokens);
        var code = await Clients.IssueCodeAsync(client.ClientId);
        var redeemed = await RedeemAsync(client, code);
        await DamagedRows.DamageAsync(TableNames.Grants, GrantKeys.ForCode(code.Code), AuthorizationCodeEntity.Row, Damage.LoneSurrogate, nameof(AuthorizationCodeEntity.ClientId));

        var response = await Http.RevokeTokenAsync(new TokenRevocationRequest
        {
            Address = Host.RevocationEndpoint.ToString(),
            ClientId = client.ClientId,
            ClientSecret = client.Secret,
            Token = redeemed.RefreshToken!,
        });

        Assert.That(response.HttpStatusCode, Is.EqualTo(HttpStatusCode.OK), "no oracle for tokens, even damaged ones");
    }

    [Test]
    public async Task ClientWhoseRegistrationRowIsDamaged_IsInvalidClient_NotA500()
    {
        var client = await Clients.AddPublicAsync();
        var code = await Clients.IssueCodeAsync(client.ClientId);
        await DamagedRows.DamageAsync(TableNames.Clients, client.ClientId, ClientEntity.Row, Damage.WrongType, nameof(ClientEntity.AllowPlainPkce));

        var response = await RedeemAsync(client, code);

        await OAuthAssert.ClientAuthenticationFailedAsync(response.HttpResponse!, Logs, "malformed");
    }

    [TestCase(Damage.LoneSurrogate)]
    [TestCase(Damage.WrongType)]
    [TestCase(Damage.MissingColumn)]
    public async Task RevokeAllOfAClient_SkipsADamagedGrant_RevokesTheRest_AndReportsTheSkip(Damage damage)
    {
        var client = await Clients.AddConfidentialAsync(grantTypes: TestClients.WithRefreshTokens);
        var healthy = await RedeemAsync(client, await Clients.IssueCodeAsync(client.ClientId));
        await DamagedRows.IssueCodeAsync(client.ClientId, damage, Clock.GetUtcNow());
        var alsoHealthy = await RedeemAsync(client, await Clients.IssueCodeAsync(client.ClientId));

        var report = await Maintenance.RevokeAllAsync(GrantIndexKeys.ByClient(client.ClientId), CancellationToken.None);

        Assert.That(report, Is.EqualTo(new RevokeReport(Revoked: 2, Skipped: 1)));
        foreach (var grant in new[] { healthy, alsoHealthy })
        {
            var refused = await CodeRedemption.RefreshAsync(Http, Host.TokenEndpoint, client, grant.RefreshToken!);
            await OAuthAssert.ErrorAsync(refused.HttpResponse!, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidGrant);
        }

        Assert.That(Logs.Entries.Any(e => e.Level == LogLevel.Warning && e.Message.Contains("Skipped grant", StringComparison.Ordinal)), Is.True, "the skip is logged");
    }

    [TestCase(Damage.LoneSurrogate)]
    [TestCase(Damage.WrongType)]
    [TestCase(Damage.MissingColumn)]
    public async Task PurgeTimer_DeletesADamagedGrantPastItsExpiryIndex_AndFinishesTheRest(Damage damage)
    {
        var client = await Clients.AddPublicAsync();
        var damaged = await DamagedRows.IssueCodeAsync(client.ClientId, damage, Clock.GetUtcNow());
        var expired = await Clients.IssueCodeAsync(client.ClientId, lifetime: TimeSpan.FromMinutes(1));
        Clock.Advance(TimeSpan.FromHours(2));
        var live = await Clients.IssueCodeAsync(client.ClientId, lifetime: TimeSpan.FromMinutes(5));

        await new PurgeTimerFunction(Maintenance).RunAsync(new Microsoft.Azure.Functions.Worker.TimerInfo(), CancellationToken.None);

        Assert.Multiple(async () =>
        {
            Assert.That(await GrantTable.RowsAsync(GrantKeys.ForCode(damaged.Code)), Is.Empty, "the unreadable grant is past its index: deleted");
            Assert.That(await GrantTable.RowsAsync(GrantKeys.ForCode(expired.Code)), Is.Empty, "the rest of the batch was purged");
            Assert.That(await GrantTable.RowsAsync(GrantKeys.ForCode(live.Code)), Is.Not.Empty);
        });
        Assert.That(Logs.Entries.Any(e => e.Level == LogLevel.Warning && e.Message.Contains(GrantKeys.ForLog(GrantKeys.ForCode(damaged.Code)), StringComparison.Ordinal)), Is.True);
    }

    [Test]
    public async Task Purge_ReportsTheDamagedGrantsItDeleted()
    {
        var client = await Clients.AddPublicAsync();
        await DamagedRows.IssueCodeAsync(client.ClientId, Damage.LoneSurrogate, Clock.GetUtcNow());
        Clock.Advance(TimeSpan.FromHours(2));

        var report = await Maintenance.PurgeAsync(batchSize: 50, maxBatches: 1000, CancellationToken.None);

        Assert.That(report.UnreadableGrantsDeleted, Is.GreaterThanOrEqualTo(1), report.ToString());
    }

    [Test]
    public async Task Purge_DeletesAGrantWhoseRefreshTokenWentIdle_LongBeforeItsAbsoluteExpiry()
    {
        var client = await Clients.AddConfidentialAsync(grantTypes: TestClients.WithRefreshTokens, refreshIdleSeconds: 3600, refreshAbsoluteSeconds: 30 * 86_400);
        var code = await Clients.IssueCodeAsync(client.ClientId);
        var redeemed = await RedeemAsync(client, code);
        Clock.Advance(TimeSpan.FromHours(3));

        await Maintenance.PurgeAsync(batchSize: 50, maxBatches: 1000, CancellationToken.None);

        Assert.That(await GrantTable.RowsAsync(GrantKeys.ForCode(code.Code)), Is.Empty, "idle for longer than the idle lifetime: the grant is dead");
        var refused = await CodeRedemption.RefreshAsync(Http, Host.TokenEndpoint, client, redeemed.RefreshToken!);
        await OAuthAssert.ErrorAsync(refused.HttpResponse!, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidGrant);
    }

    [Test]
    public async Task Purge_KeepsAGrantThatRotationsKeptAlive_AndMovesItsIndexRowToTheNewIdleExpiry()
    {
        // Idle lifetime 2 h: the first token's index row (its idle expiry's hour) is surely due 3 h later, while the
        // token rotated at 1 h 50 min keeps the grant alive until 3 h 50 min.
        var client = await Clients.AddConfidentialAsync(grantTypes: TestClients.WithRefreshTokens, refreshIdleSeconds: 7200, refreshAbsoluteSeconds: 30 * 86_400);
        var code = await Clients.IssueCodeAsync(client.ClientId);
        var redeemed = await RedeemAsync(client, code);
        Clock.Advance(TimeSpan.FromMinutes(110));
        var rotated = await CodeRedemption.RefreshAsync(Http, Host.TokenEndpoint, client, redeemed.RefreshToken!);
        Assert.That(rotated.IsError, Is.False, rotated.Raw);
        Clock.Advance(TimeSpan.FromMinutes(70));

        await Maintenance.PurgeAsync(batchSize: 50, maxBatches: 1000, CancellationToken.None);

        var grantId = GrantKeys.ForCode(code.Code);
        Assert.That(await GrantTable.RowsAsync(grantId), Is.Not.Empty, "the first token went idle, but the grant lives on in its successor");
        var indexed = await new Azure.Data.Tables.TableServiceClient(TestEnvironment.Azurite.ConnectionString).GetTableClient(TableNames.Expiry)
            .QueryAsync<Azure.Data.Tables.TableEntity>(e => e.RowKey == grantId).Select(e => e.PartitionKey).ToListAsync();
        Assert.That(indexed, Is.EqualTo(new[] { GrantIndexKeys.HourBucket(Clock.GetUtcNow().AddMinutes(50)) }), "indexed again, only under the successor's idle expiry");
        var next = await CodeRedemption.RefreshAsync(Http, Host.TokenEndpoint, client, rotated.RefreshToken!);
        Assert.That(next.IsError, Is.False, next.Raw);
    }
}
