using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging.Abstractions;
using TokenFunction.Storage;
using TokenFunction.Tests.Infrastructure;

namespace TokenFunction.Tests.Storage;

/// <summary>The transactions behind refresh tokens, against Azurite: atomic, conditional, and safe under Azure.Core's retries.</summary>
public sealed class RefreshTokenStoreTests
{
    [Test]
    public async Task RetriedRedemptionTransactionThatAlreadySucceeded_IsStillThisRequestsRedemption()
    {
        var lostResponse = new LoseFirstBatchResponsePolicy();
        var service = NewService(lostResponse);
        var codes = NewCodeStore(service);
        var code = await codes.IssueAsync(NewCode(), CancellationToken.None);
        var row = (await codes.FindAsync(code, CancellationToken.None))!;
        var (refresh, token) = NewRefresh(row.PartitionKey);

        var outcome = await codes.RedeemAsync(row, new NewRefreshToken(refresh, DateTimeOffset.UtcNow.AddDays(1), SealedForRetry(code, row.PartitionKey, token)), CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(lostResponse.Dropped, Is.True, "the first batch reached storage and its response was lost");
            Assert.That(outcome.Outcome, Is.EqualTo(RedeemOutcome.Redeemed));
        });
        var after = (await codes.FindAsync(code, CancellationToken.None))!;
        var (_, stored) = await NewRefreshStore(service).FindAsync(row.PartitionKey, RefreshTokens.RowKeyOf(token), CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(after.RevokedAt, Is.Null, "our own retry is not a replay");
            Assert.That(stored, Is.Not.Null, "the refresh row was added in the same transaction");
        });
    }

    [Test]
    public async Task TwoRedeemersWithRefreshTokens_OneWins_TheLosersRefreshRowIsNeverWritten()
    {
        var service = NewService();
        var codes = NewCodeStore(service);
        var code = await codes.IssueAsync(NewCode(), CancellationToken.None);
        var first = (await codes.FindAsync(code, CancellationToken.None))!;
        var second = (await codes.FindAsync(code, CancellationToken.None))!;
        var (winnerRow, winner) = NewRefresh(first.PartitionKey);
        var (loserRow, loser) = NewRefresh(first.PartitionKey);

        var outcomes = new[]
        {
            await codes.RedeemAsync(first, new NewRefreshToken(winnerRow, DateTimeOffset.UtcNow.AddDays(1), SealedForRetry(code, first.PartitionKey, winner)), CancellationToken.None),
            await codes.RedeemAsync(second, new NewRefreshToken(loserRow, DateTimeOffset.UtcNow.AddDays(1), SealedForRetry(code, first.PartitionKey, loser)), CancellationToken.None),
        };

        Assert.That(outcomes.Select(o => o.Outcome), Is.EqualTo(new[] { RedeemOutcome.Redeemed, RedeemOutcome.AlreadyRedeemed }));
        var store = NewRefreshStore(service);
        Assert.Multiple(async () =>
        {
            Assert.That(await store.FindTokenAsync(first.PartitionKey, RefreshTokens.RowKeyOf(winner), CancellationToken.None), Is.Not.Null);
            Assert.That(await store.FindTokenAsync(first.PartitionKey, RefreshTokens.RowKeyOf(loser), CancellationToken.None), Is.Null);
            Assert.That(outcomes[1].Current?.SealedRefreshToken, Is.Not.Null, "the loser is shown the winner's row, to judge as a retry or a replay");
        });
    }

    [Test]
    public async Task RetriedRotationTransactionThatAlreadySucceeded_IsStillThisRequestsRotation()
    {
        var lostResponse = new LoseFirstBatchResponsePolicy { Armed = false };
        var service = NewService(lostResponse);
        var codes = NewCodeStore(service);
        var store = NewRefreshStore(service);
        var code = await codes.IssueAsync(NewCode(), CancellationToken.None);
        var row = (await codes.FindAsync(code, CancellationToken.None))!;
        var (refresh, token) = NewRefresh(row.PartitionKey);
        Assert.That((await codes.RedeemAsync(row, new NewRefreshToken(refresh, DateTimeOffset.UtcNow.AddDays(1), SealedForRetry(code, row.PartitionKey, token)), CancellationToken.None)).Outcome, Is.EqualTo(RedeemOutcome.Redeemed));
        var (root, old) = await store.FindAsync(row.PartitionKey, RefreshTokens.RowKeyOf(token), CancellationToken.None);
        var (successor, successorToken) = NewRefresh(row.PartitionKey);
        lostResponse.Armed = true;

        var result = await store.RotateAsync(root!, old!, token, successor, successorToken, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(lostResponse.Dropped, Is.True);
            Assert.That(result.Outcome, Is.EqualTo(RotateOutcome.Rotated));
        });
        var (_, retired) = await store.FindAsync(row.PartitionKey, RefreshTokens.RowKeyOf(token), CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(retired!.RetiredAt, Is.Not.Null);
            Assert.That(RefreshTokenStore.OpenSuccessor(retired, token), Is.EqualTo(successorToken), "the holder of the old token recovers the successor");
            Assert.That(RefreshTokenStore.OpenSuccessor(retired, NewRefresh(row.PartitionKey).Token), Is.Null, "nobody else does");
            Assert.That(retired.SealedSuccessor, Does.Not.Contain(successorToken.Split('.')[1]));
        });
    }

    [Test]
    public async Task RotationAfterTheGrantWasRevoked_FailsAtomically()
    {
        var service = NewService();
        var codes = NewCodeStore(service);
        var store = NewRefreshStore(service);
        var code = await codes.IssueAsync(NewCode(), CancellationToken.None);
        var row = (await codes.FindAsync(code, CancellationToken.None))!;
        var (refresh, token) = NewRefresh(row.PartitionKey);
        await codes.RedeemAsync(row, new NewRefreshToken(refresh, DateTimeOffset.UtcNow.AddDays(1), SealedForRetry(code, row.PartitionKey, token)), CancellationToken.None);
        var (root, old) = await store.FindAsync(row.PartitionKey, RefreshTokens.RowKeyOf(token), CancellationToken.None);
        await codes.RevokeGrantAsync(root!, CancellationToken.None);
        var (successor, successorToken) = NewRefresh(row.PartitionKey);

        var result = await store.RotateAsync(root!, old!, token, successor, successorToken, CancellationToken.None);

        Assert.That(result.Outcome, Is.EqualTo(RotateOutcome.Revoked));
        Assert.That(await store.FindTokenAsync(row.PartitionKey, successor.RowKey, CancellationToken.None), Is.Null, "no successor after revocation");
    }

    [Test]
    public async Task RotateWithoutETags_IsRefusedRatherThanSentAsUpserts()
    {
        var store = NewRefreshStore(NewService());
        var (row, token) = NewRefresh(GrantKeys.ForCode("x"));

        await Assert.ThrowsAsync<ArgumentException>(() => store.RotateAsync(new AuthorizationCodeEntity { PartitionKey = row.PartitionKey }, row, token, row, token, CancellationToken.None));
    }

    private static (RefreshTokenEntity Row, string Token) NewRefresh(string grantId)
    {
        var token = RefreshTokens.NewToken(grantId);
        var now = DateTimeOffset.UtcNow;
        return (new RefreshTokenEntity { PartitionKey = grantId, RowKey = RefreshTokens.RowKeyOf(token), IssuedAt = now, ExpiresAt = now.AddHours(1) }, token);
    }

    private static TableServiceClient NewService(HttpPipelinePolicy? policy = null)
    {
        var options = new TableClientOptions();
        if (policy is not null)
        {
            options.AddPolicy(policy, HttpPipelinePosition.PerRetry);
        }

        options.Retry.Delay = TimeSpan.FromMilliseconds(10);
        return new TableServiceClient(TestEnvironment.Azurite.ConnectionString, options);
    }

    private static AuthorizationCodeStore NewCodeStore(TableServiceClient service) =>
        new(new TokenTables(service, createTablesIfMissing: true), TimeProvider.System, NullLogger<AuthorizationCodeStore>.Instance);

    private static RefreshTokenStore NewRefreshStore(TableServiceClient service) =>
        new(new TokenTables(service, createTablesIfMissing: true), TimeProvider.System, NullLogger<RefreshTokenStore>.Instance);

    private static NewAuthorizationCode NewCode() =>
        new("store-client", TestClients.RedirectUri, null, null, "alice", "orders:read", TimeSpan.FromMinutes(1));

    /// <summary>Lets the first successful $batch reach storage, then throws as if its response were lost: Azure.Core retries it.</summary>
    private sealed class LoseFirstBatchResponsePolicy : HttpPipelinePolicy
    {
        public bool Armed { get; set; } = true;

        public bool Dropped { get; private set; }

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
            throw new NotSupportedException("The store is async all the way.");

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            await ProcessNextAsync(message, pipeline);
            if (Armed && !Dropped && message.Request.Uri.Path.EndsWith("$batch", StringComparison.Ordinal) && message.Response.Status == 202)
            {
                Dropped = true;
                throw new IOException("Simulated: the connection dropped before the response arrived.");
            }
        }
    }

    private static string SealedForRetry(string code, string grantId, string refreshToken) => CodeRetrySeal.Seal(code, verifier: null, refreshToken, grantId);
}
