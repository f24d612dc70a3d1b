using System.Diagnostics;
using System.Net;
using TokenFunction.Protocol;
using TokenFunction.Grants;
using TokenFunction.Storage;
using TokenFunction.Tests.Infrastructure;
using TokenFunction.Settings;

namespace TokenFunction.Tests.EndToEnd;

/// <summary>
/// A network that loses answers must not cost the user the grant. A second host reaches Azurite through a
/// <see cref="StorageProxy"/> that holds, hangs or cuts storage requests; its storage budget is a few seconds, so a 503 comes
/// long before the retry windows close. The client then retries as RFC 6749 clients do.
/// </summary>
public sealed class LostAnswerTests : EndToEndTest
{
    // Long enough that the work before the write (client and code reads, index rows, signing) fits on a loaded
    // machine, so the fault always hits the write itself; short enough that the tests stay quick.
    private const int BudgetSeconds = 3;

    /// <summary>A held write reaches storage this long after the service gave up on it.</summary>
    private static readonly TimeSpan HoldPastTheBudget = TimeSpan.FromSeconds(BudgetSeconds + 2);

    private StorageProxy proxy = null!;
    private ServiceHost proxied = null!;

    [OneTimeSetUp]
    public async Task StartProxiedHostAsync()
    {
        proxy = await StorageProxy.StartAsync();
        proxied = await ServiceHost.StartAsync(new Dictionary<string, string?>
        {
            [SettingNames.TablesConnectionString] = proxy.ConnectionString,
            [SettingNames.TokenStorageBudgetSeconds] = BudgetSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }, logs: ProxiedLogs);
    }

    [OneTimeTearDown]
    public async Task StopProxiedHostAsync()
    {
        await proxied.DisposeAsync();
        await proxy.DisposeAsync();
    }

    private LogCollector ProxiedLogs { get; } = new();

    [Test]
    public async Task StorageThatNeverAnswers_Gives503WithinTheBudget_AndTheCodeStaysRedeemable()
    {
        var client = await Clients.AddPublicAsync(grantTypes: TestClients.WithRefreshTokens);
        var code = await Clients.IssueCodeAsync(client.ClientId);

        var clock = Stopwatch.StartNew();
        Duende.IdentityModel.Client.TokenResponse failed;
        using (proxy.Hang(_ => true))
        {
            failed = await CodeRedemption.RedeemAsync(Http, proxied.TokenEndpoint, client, code);
        }

        var elapsed = clock.Elapsed;
        await OAuthAssert.ErrorAsync(failed.HttpResponse!, HttpStatusCode.ServiceUnavailable, OAuthErrorCodes.TemporarilyUnavailable);
        Assert.That(failed.HttpResponse!.Headers.RetryAfter?.Delta, Is.GreaterThan(TimeSpan.Zero));
        // Far below what the SDK alone would take (4 tries of a network timeout each); generous, not a timing target.
        Assert.That(elapsed, Is.LessThan(TimeSpan.FromSeconds(15)), "the budget, retries included, bounds the request");

        var retried = await CodeRedemption.RedeemAsync(Http, proxied.TokenEndpoint, client, code);
        Assert.That(retried.IsError, Is.False, "nothing reached storage, so the code is still redeemable: " + retried.Raw);
    }

    [Test]
    public async Task CodeExchangeWhoseWriteCommitsAfterThe503_RetriedWithTheSameVerifier_GetsATokenSet_AndOneRefreshFamily()
    {
        var client = await Clients.AddPublicAsync(grantTypes: TestClients.WithRefreshTokens);
        var code = await Clients.IssueCodeAsync(client.ClientId);
        var committed = proxy.HoldNext(r => r.IsMergeIn(TableNames.Grants, GrantKeys.ForCode(code.Code)), hold: HoldPastTheBudget);

        var failed = await CodeRedemption.RedeemAsync(Http, proxied.TokenEndpoint, client, code);

        await OAuthAssert.ErrorAsync(failed.HttpResponse!, HttpStatusCode.ServiceUnavailable, OAuthErrorCodes.TemporarilyUnavailable);
        Assert.That(committed.IsCompleted, Is.False, "the service answered 503 before the write reached storage");
        Assert.That(await committed, Is.EqualTo(204), "the held redemption then committed (a Merge answers 204)");

        var retried = await CodeRedemption.RedeemAsync(Http, proxied.TokenEndpoint, client, code);

        await AssertOneLiveFamilyAsync(client, code, retried);
    }

    [Test]
    public async Task CodeExchangeWhoseAnswerIsLostAfterTheCommit_RetriedWithTheSameVerifier_GetsATokenSet_AndOneRefreshFamily()
    {
        var client = await Clients.AddPublicAsync(grantTypes: TestClients.WithRefreshTokens);
        var code = await Clients.IssueCodeAsync(client.ClientId);
        var grantId = GrantKeys.ForCode(code.Code);

        await LosingTheMergesAnswerAsync(grantId, () => CodeRedemption.RedeemAsync(Http, proxied.TokenEndpoint, client, code));

        Assert.That((await GrantTable.RootAsync(grantId)).ContainsKey(nameof(AuthorizationCodeEntity.RedemptionId)), Is.True, "and committed");

        var retried = await CodeRedemption.RedeemAsync(Http, proxied.TokenEndpoint, client, code);

        await AssertOneLiveFamilyAsync(client, code, retried);
    }

    [Test]
    public async Task RefreshWhoseRotationCommitsAfterThe503_RetriedWithTheSameToken_GetsTheSuccessor_AndTheGrantStaysAlive()
    {
        var client = await Clients.AddPublicAsync(grantTypes: TestClients.WithRefreshTokens);
        var first = await RedeemAsync(client, await Clients.IssueCodeAsync(client.ClientId));
        Assert.That(first.RefreshToken, Is.Not.Null, first.Raw);
        var committed = proxy.HoldNext(r => r.IsMergeIn(TableNames.Grants, GrantTable.GrantOf(first.RefreshToken!)), hold: HoldPastTheBudget);

        var failed = await CodeRedemption.RefreshAsync(Http, proxied.TokenEndpoint, client, first.RefreshToken!);

        await OAuthAssert.ErrorAsync(failed.HttpResponse!, HttpStatusCode.ServiceUnavailable, OAuthErrorCodes.TemporarilyUnavailable);
        Assert.That(committed.IsCompleted, Is.False, "the service answered 503 before the rotation reached storage");
        Assert.That(await committed, Is.EqualTo(204), "the held rotation (a Merge of the grant's root) then committed");

        var retried = await CodeRedemption.RefreshAsync(Http, proxied.TokenEndpoint, client, first.RefreshToken!);

        await AssertRotatedOnceAsync(client, first.RefreshToken!, retried);
    }

    [Test]
    public async Task RefreshWhoseAnswerIsLostAfterTheCommit_RetriedWithTheSameToken_GetsTheSuccessor_AndTheGrantStaysAlive()
    {
        var client = await Clients.AddPublicAsync(grantTypes: TestClients.WithRefreshTokens);
        var first = await RedeemAsync(client, await Clients.IssueCodeAsync(client.ClientId));

        await LosingTheMergesAnswerAsync(GrantTable.GrantOf(first.RefreshToken!), () => CodeRedemption.RefreshAsync(Http, proxied.TokenEndpoint, client, first.RefreshToken!));

        var retried = await CodeRedemption.RefreshAsync(Http, proxied.TokenEndpoint, client, first.RefreshToken!);

        await AssertRotatedOnceAsync(client, first.RefreshToken!, retried);
    }

    /// <summary>
    /// The same, at the instance that redeemed the code: it rotates from its own last write, without a read, and the
    /// write it lost left that remembered state stale. The retry's Merge under it fails, and the read after it finds the
    /// first attempt's successor.
    /// </summary>
    [Test]
    public async Task RefreshFromTheInstancesOwnLastWrite_WhoseAnswerIsLostAfterTheCommit_RetriedWithTheSameToken_GetsTheSuccessor()
    {
        var client = await Clients.AddPublicAsync(grantTypes: TestClients.WithRefreshTokens);
        var first = await CodeRedemption.RedeemAsync(Http, proxied.TokenEndpoint, client, await Clients.IssueCodeAsync(client.ClientId));
        Assert.That(first.RefreshToken, Is.Not.Null, first.Raw);
        var grantId = GrantTable.GrantOf(first.RefreshToken!);
        var before = proxy.Forwarded.Count;

        await LosingTheMergesAnswerAsync(grantId, () => CodeRedemption.RefreshAsync(Http, proxied.TokenEndpoint, client, first.RefreshToken!));

        Assert.That(proxy.Forwarded.Skip(before).First(r => r.Touches(TableNames.Grants)).IsMergeIn(TableNames.Grants, grantId), Is.True,
            "the first storage request of the refresh was the Merge: no read before it");

        var retried = await CodeRedemption.RefreshAsync(Http, proxied.TokenEndpoint, client, first.RefreshToken!);

        await AssertRotatedOnceAsync(client, first.RefreshToken!, retried);
    }

    [Test]
    public async Task DependencyFailure_IsLoggedAsAWarningNamingTheFault_WithoutCredentials()
    {
        var client = await Clients.AddPublicAsync();
        var code = await Clients.IssueCodeAsync(client.ClientId);

        using (proxy.Hang(_ => true))
        {
            var failed = await CodeRedemption.RedeemAsync(Http, proxied.TokenEndpoint, client, code);
            Assert.That(failed.HttpStatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable), failed.Raw);
        }

        var entry = ProxiedLogs.Entries.Last(e => client.ClientId.Equals(e["ClientId"]));
        Assert.Multiple(() =>
        {
            Assert.That(entry.Level, Is.EqualTo(Microsoft.Extensions.Logging.LogLevel.Warning));
            Assert.That(entry["Status"], Is.EqualTo(503));
            Assert.That(entry.Message, Does.Contain("dependency failed"));
            Assert.That(ProxiedLogs.AllText(), Does.Not.Contain(code.Code).And.Not.Contain(code.Verifier!));
        });
    }

    /// <summary>The retry got a working token set, and the grant has one refresh token: the one the retry returned.</summary>
    private async Task AssertOneLiveFamilyAsync(RegisteredClient client, IssuedCode code, Duende.IdentityModel.Client.TokenResponse retried)
    {
        Assert.That(retried.IsError, Is.False, "the retry of a lost answer gets a token set: " + retried.Raw);
        Assert.That(retried.RefreshToken, Is.Not.Null);
        var grantId = GrantKeys.ForCode(code.Code);
        Assert.Multiple(async () =>
        {
            Assert.That(await GrantTable.LiveRefreshRowsAsync(grantId), Is.EqualTo(1), "one refresh family");
            Assert.That((await GrantTable.RootAsync(grantId)).ContainsKey(nameof(AuthorizationCodeEntity.RevokedAt)), Is.False, "the grant stays alive");
        });
        await JwtValidation.ValidateAsync(Http, Host.JwksUri, retried.AccessToken!, ServiceHost.Issuer, ServiceHost.Audience);
        var refreshed = await CodeRedemption.RefreshAsync(Http, Host.TokenEndpoint, client, retried.RefreshToken!);
        Assert.That(refreshed.IsError, Is.False, "the refresh token the retry returned works: " + refreshed.Raw);
    }

    /// <summary>
    /// A token request to the proxied host whose write (the Merge of the grant's root: a redemption or a rotation)
    /// reaches storage and commits, while its answer and every later answer about grants is lost: a 503.
    /// </summary>
    private async Task LosingTheMergesAnswerAsync(string grantId, Func<Task<Duende.IdentityModel.Client.TokenResponse>> request)
    {
        var committed = false;
        Duende.IdentityModel.Client.TokenResponse failed;
        using (proxy.LoseAnswers(r => committed ? r.Touches(TableNames.Grants) : r.IsMergeIn(TableNames.Grants, grantId) && (committed = true)))
        {
            failed = await request();
        }

        await OAuthAssert.ErrorAsync(failed.HttpResponse!, HttpStatusCode.ServiceUnavailable, OAuthErrorCodes.TemporarilyUnavailable);
        Assert.That(committed, Is.True, "the write reached storage");
    }

    private async Task AssertRotatedOnceAsync(RegisteredClient client, string presented, Duende.IdentityModel.Client.TokenResponse retried)
    {
        Assert.That(retried.IsError, Is.False, "the retry of a lost answer gets the successor: " + retried.Raw);
        var grantId = GrantTable.GrantOf(presented);
        Assert.Multiple(async () =>
        {
            Assert.That(retried.RefreshToken, Is.Not.EqualTo(presented));
            Assert.That(await GrantTable.LiveRefreshRowsAsync(grantId), Is.EqualTo(1), "one live refresh token");
            Assert.That((await GrantTable.RootAsync(grantId)).ContainsKey(nameof(AuthorizationCodeEntity.RevokedAt)), Is.False, "the grant stays alive");
        });
        var next = await CodeRedemption.RefreshAsync(Http, Host.TokenEndpoint, client, retried.RefreshToken!);
        Assert.That(next.IsError, Is.False, "the successor works: " + next.Raw);
    }
}
