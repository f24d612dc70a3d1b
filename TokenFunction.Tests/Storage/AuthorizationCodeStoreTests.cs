using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging.Abstractions;
using TokenFunction.Storage;
using TokenFunction.Tests.Infrastructure;

namespace TokenFunction.Tests.Storage;

/// <summary>The code store's concurrency contract, against Azurite.</summary>
public sealed class AuthorizationCodeStoreTests
{
    [Test]
    public async Task RetriedUpdateThatAlreadySucceeded_IsStillReportedAsThisRequestsRedemption()
    {
        var lostResponse = new LoseFirstUpdateResponsePolicy();
        var options = new TableClientOptions();
        options.AddPolicy(lostResponse, HttpPipelinePosition.PerRetry);
        options.Retry.Delay = TimeSpan.FromMilliseconds(10);
        var store = NewStore(new TableServiceClient(TestEnvironment.Azurite.ConnectionString, options));
        var code = await store.IssueAsync(NewCode(), CancellationToken.None);
        var row = (await store.FindAsync(code, CancellationToken.None))!;

        var outcome = await store.RedeemAsync(row, firstRefreshToken: null, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(lostResponse.Dropped, Is.True, "the first update reached storage and its response was lost");
            Assert.That(outcome.Outcome, Is.EqualTo(RedeemOutcome.Redeemed), "the retry's 412 met this request's own redemption id");
        });
        var after = (await store.FindAsync(code, CancellationToken.None))!;
        Assert.That(after.RevokedAt, Is.Null, "our own retry is not a replay");
    }

    [Test]
    public async Task TwoRedeemersHoldingTheSameRow_OneWins_TheOtherIsShownTheWinnersRowToJudge()
    {
        var store = NewStore(new TableServiceClient(TestEnvironment.Azurite.ConnectionString));
        var code = await store.IssueAsync(NewCode(), CancellationToken.None);
        var first = (await store.FindAsync(code, CancellationToken.None))!;
        var second = (await store.FindAsync(code, CancellationToken.None))!;

        var won = await store.RedeemAsync(first, firstRefreshToken: null, CancellationToken.None);
        var lost = await store.RedeemAsync(second, firstRefreshToken: null, CancellationToken.None);

        var after = (await store.FindAsync(code, CancellationToken.None))!;
        Assert.Multiple(() =>
        {
            Assert.That((won.Outcome, lost.Outcome), Is.EqualTo((RedeemOutcome.Redeemed, RedeemOutcome.AlreadyRedeemed)));
            Assert.That(lost.Current?.RedemptionId, Is.EqualTo(after.RedemptionId).And.Not.Null, "the loser sees the winner's redemption");
            Assert.That(after.RevokedAt, Is.Null, "the store does not revoke: the grant handler judges a retry from a replay");
        });
    }

    [Test]
    public async Task RedeemWithoutETag_IsRefusedRatherThanSentAsAnUnconditionalUpdate()
    {
        var store = NewStore(new TableServiceClient(TestEnvironment.Azurite.ConnectionString));
        var row = new AuthorizationCodeEntity { PartitionKey = GrantKeys.ForCode("x") };

        await Assert.ThrowsAsync<ArgumentException>(() => store.RedeemAsync(row, firstRefreshToken: null, CancellationToken.None));
    }

    [Test]
    public async Task IssuedCode_IsStoredOnlyAsItsHash()
    {
        var service = new TableServiceClient(TestEnvironment.Azurite.ConnectionString);
        var store = NewStore(service);
        var code = await store.IssueAsync(NewCode(), CancellationToken.None);

        var row = await service.GetTableClient(TableNames.Grants).GetEntityAsync<TableEntity>(GrantKeys.ForCode(code), AuthorizationCodeEntity.Row);

        Assert.That(row.Value.Select(property => property.Value?.ToString()), Has.None.Contains(code));
        Assert.That(row.Value.PartitionKey, Is.Not.EqualTo(code));
    }

    [Test]
    public async Task IssuedCode_KeepsItsResourcesOnePerLine_AndWithoutResourcesHasNoResourcesColumn()
    {
        var service = new TableServiceClient(TestEnvironment.Azurite.ConnectionString);
        var store = NewStore(service);
        var withResources = await store.IssueAsync(NewCode() with { Resources = ["https://orders.example.test/", "https://reports.example.test/api"] }, CancellationToken.None);
        var without = await store.IssueAsync(NewCode(), CancellationToken.None);

        var table = service.GetTableClient(TableNames.Grants);
        var rowWith = await table.GetEntityAsync<TableEntity>(GrantKeys.ForCode(withResources), AuthorizationCodeEntity.Row);
        var rowWithout = await table.GetEntityAsync<TableEntity>(GrantKeys.ForCode(without), AuthorizationCodeEntity.Row);

        Assert.Multiple(() =>
        {
            Assert.That(rowWith.Value.GetString(nameof(AuthorizationCodeEntity.Resources)), Is.EqualTo("https://orders.example.test/\nhttps://reports.example.test/api"));
            Assert.That(rowWithout.Value.ContainsKey(nameof(AuthorizationCodeEntity.Resources)), Is.False, "the authorize step's rows without resources look the same");
        });
    }

    private static AuthorizationCodeStore NewStore(TableServiceClient service) =>
        new(new TokenTables(service, createTablesIfMissing: true), TimeProvider.System, NullLogger<AuthorizationCodeStore>.Instance);

    private static NewAuthorizationCode NewCode() =>
        new("store-client", TestClients.RedirectUri, null, null, "alice", "orders:read", TimeSpan.FromMinutes(1));

    /// <summary>
    /// Lets the first entity update reach storage, then throws as if its response were lost on the way back:
    /// Azure.Core's retry policy then sends the same conditional update again.
    /// </summary>
    private sealed class LoseFirstUpdateResponsePolicy : HttpPipelinePolicy
    {
        public bool Dropped { get; private set; }

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
            throw new NotSupportedException("The store is async all the way.");

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            await ProcessNextAsync(message, pipeline);
            if (!Dropped && message.Request.Method != RequestMethod.Get && message.Request.Headers.TryGetValue("If-Match", out _)
                && message.Response.Status is >= 200 and < 300)
            {
                Dropped = true;
                throw new IOException("Simulated: the connection dropped before the response arrived.");
            }
        }
    }
}
