using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging.Abstractions;
using TokenFunction.Grants;
using TokenFunction.Storage;
using TokenFunction.Tests.Infrastructure;

namespace TokenFunction.Tests.Storage;

/// <summary>
/// What only the Table stores must get right, against Azurite: Azure.Core retries a write whose answer was lost, and the
/// retry's failure must still count as this request's success; codes are stored only as hashes; the documented columns.
/// </summary>
public sealed class TableGrantStoreTests
{
    [Test]
    public async Task RetriedUpdateThatAlreadySucceeded_IsStillReportedAsThisRequestsRedemption()
    {
        var lostResponse = new LoseFirstWriteResponsePolicy(r => r.Method != RequestMethod.Get && r.Headers.TryGetValue("If-Match", out _));
        var codes = CodeStore(lostResponse);
        var code = await codes.IssueAsync(NewCode(), CancellationToken.None);
        var grant = (await codes.FindByCodeAsync(code, CancellationToken.None))!;

        var outcome = await codes.RedeemAsync(grant, null, CancellationToken.None);

        Assert.Multiple(async () =>
        {
            Assert.That(lostResponse.Dropped, Is.True, "the first update reached storage and its response was lost");
            Assert.That(outcome.Outcome, Is.EqualTo(RedeemOutcome.Redeemed), "the retry's 412 met this request's own redemption id");
            Assert.That((await codes.FindByCodeAsync(code, CancellationToken.None))!.IsRevoked, Is.False, "our own retry is not a replay");
        });
    }

    [Test]
    public async Task RetriedRedemptionWithAFirstRefreshTokenThatAlreadySucceeded_IsStillThisRequestsRedemption()
    {
        var lostResponse = new LoseFirstWriteResponsePolicy(r => r.Method != RequestMethod.Get && r.Headers.TryGetValue("If-Match", out _));
        var tables = TableStores.Tables(lostResponse);
        var codes = new AuthorizationCodeStore(tables, TimeProvider.System, NullLogger<AuthorizationCodeStore>.Instance);
        var code = await codes.IssueAsync(NewCode(), CancellationToken.None);
        var grant = (await codes.FindByCodeAsync(code, CancellationToken.None))!;
        var (record, token) = NewRefresh(grant.GrantId);

        var outcome = await codes.RedeemAsync(grant, new FirstRefreshToken(record, DateTimeOffset.UtcNow.AddDays(1), CodeRetrySeal.Seal(code, null, token, grant.GrantId)), CancellationToken.None);

        var (after, stored) = await new RefreshTokenStore(tables, TimeProvider.System, NullLogger<RefreshTokenStore>.Instance).FindAsync(grant.GrantId, record.Key, CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(lostResponse.Dropped, Is.True, "the first update reached storage and its response was lost");
            Assert.That(outcome.Outcome, Is.EqualTo(RedeemOutcome.Redeemed));
            Assert.That(after!.IsRevoked, Is.False, "our own retry is not a replay");
            Assert.That(stored, Is.Not.Null.And.Property(nameof(RefreshTokenRecord.IsRetired)).False, "the refresh token was written with the redemption");
        });
    }

    [Test]
    public async Task RetriedRotationThatAlreadySucceeded_IsStillThisRequestsRotation()
    {
        var lostResponse = new LoseFirstWriteResponsePolicy(r => r.Method != RequestMethod.Get && r.Headers.TryGetValue("If-Match", out _)) { Armed = false };
        var tables = TableStores.Tables(lostResponse);
        var codes = new AuthorizationCodeStore(tables, TimeProvider.System, NullLogger<AuthorizationCodeStore>.Instance);
        var store = new RefreshTokenStore(tables, TimeProvider.System, NullLogger<RefreshTokenStore>.Instance);
        var code = await codes.IssueAsync(NewCode(), CancellationToken.None);
        var issued = (await codes.FindByCodeAsync(code, CancellationToken.None))!;
        var (record, token) = NewRefresh(issued.GrantId);
        await codes.RedeemAsync(issued, new FirstRefreshToken(record, DateTimeOffset.UtcNow.AddDays(1), CodeRetrySeal.Seal(code, null, token, issued.GrantId)), CancellationToken.None);
        var (grant, old) = await store.FindAsync(issued.GrantId, record.Key, CancellationToken.None);
        var (successor, successorToken) = NewRefresh(issued.GrantId);
        lostResponse.Armed = true;

        var result = await store.RotateAsync(grant!, old!, successor, RefreshTokens.Seal(token, successorToken, old!.AssociatedData), CancellationToken.None);

        var (_, retired) = await store.FindAsync(issued.GrantId, record.Key, CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(lostResponse.Dropped, Is.True);
            Assert.That(result.Outcome, Is.EqualTo(RotateOutcome.Rotated));
            Assert.That(retired!.SuccessorHash, Is.EqualTo(successor.Key));
            Assert.That(retired.SealedSuccessor, Does.Not.Contain(successorToken.Split('.')[1]), "the successor is stored sealed, never in clear");
        });
    }

    [Test]
    public async Task CodeExchange_IsOneConditionalMerge_OfTheRootRow_WhichHoldsTheLiveRefreshToken()
    {
        var requests = new List<string>();
        var tables = TableStores.Tables(new RecordingPolicy(requests));
        var codes = new AuthorizationCodeStore(tables, TimeProvider.System, NullLogger<AuthorizationCodeStore>.Instance);
        var code = await codes.IssueAsync(NewCode(), CancellationToken.None);
        var grant = (await codes.FindByCodeAsync(code, CancellationToken.None))!;
        var (record, token) = NewRefresh(grant.GrantId);
        requests.Clear();

        var outcome = await codes.RedeemAsync(grant, new FirstRefreshToken(record, DateTimeOffset.UtcNow.AddDays(1), CodeRetrySeal.Seal(code, null, token, grant.GrantId)), CancellationToken.None);

        var rows = await GrantTable.RowsAsync(grant.GrantId);
        Assert.Multiple(() =>
        {
            Assert.That(outcome.Outcome, Is.EqualTo(RedeemOutcome.Redeemed));
            Assert.That(requests, Is.EqualTo(new[] { "PATCH If-Match" }), "one request, a conditional Merge (PATCH), and no entity-group transaction");
            Assert.That(rows.Select(r => r.RowKey), Is.EqualTo(new[] { AuthorizationCodeEntity.Row }));
            Assert.That(rows[0].GetString(nameof(AuthorizationCodeEntity.RefreshKey)), Is.EqualTo(record.Key));
        });
    }

    [Test]
    public async Task CodeExchangeOfAnIssuedCode_IsOneConditionalMergeUnderTheETagTheCodeCarries_WithoutARead()
    {
        var requests = new List<string>();
        var tables = TableStores.Tables(new RecordingPolicy(requests));
        var codes = new AuthorizationCodeStore(tables, TimeProvider.System, NullLogger<AuthorizationCodeStore>.Instance);
        var code = await codes.IssueAsync(NewCode(), CancellationToken.None);
        Assert.That(IssuedCodes.TryRead(code, out var issued), Is.True);
        var (record, token) = NewRefresh(issued!.GrantId);
        requests.Clear();

        var won = await codes.RedeemAsIssuedAsync(issued, new FirstRefreshToken(record, DateTimeOffset.UtcNow.AddDays(1), CodeRetrySeal.Seal(code, null, token, issued.GrantId)), CancellationToken.None);

        var rows = await GrantTable.RowsAsync(issued.GrantId);
        Assert.Multiple(() =>
        {
            Assert.That(won, Is.True);
            Assert.That(requests, Is.EqualTo(new[] { "PATCH If-Match" }), "one request, a conditional Merge, and no read before it");
            Assert.That(rows.Single().GetString(nameof(AuthorizationCodeEntity.RefreshKey)), Is.EqualTo(record.Key));
        });
    }

    [Test]
    public async Task IssuedCodeWhoseRowChangedSinceIssue_IsNotConsumedAsIssued_AndIsLeftForTheCallerToReadAndJudge()
    {
        var tables = TableStores.Tables();
        var codes = new AuthorizationCodeStore(tables, TimeProvider.System, NullLogger<AuthorizationCodeStore>.Instance);
        var code = await codes.IssueAsync(NewCode(), CancellationToken.None);
        Assert.That(IssuedCodes.TryRead(code, out var issued), Is.True);
        var table = await tables.GetAsync(TableNames.Grants, CancellationToken.None);
        await table.UpdateEntityAsync(new TableEntity(issued!.GrantId, AuthorizationCodeEntity.Row) { ["Scope"] = "orders:read orders:write" }, ETag.All, TableUpdateMode.Merge);

        var won = await codes.RedeemAsIssuedAsync(issued, null, CancellationToken.None);

        var after = (await codes.FindByCodeAsync(code, CancellationToken.None))!;
        Assert.Multiple(() =>
        {
            Assert.That(won, Is.False, "the code's grant is not the row's any more: only a read may judge it");
            Assert.That(after.IsRedeemed, Is.False, "and the code is left unconsumed for that judgement");
        });
    }

    [Test]
    public async Task Rotation_IsOneConditionalMergeOfTheRoot_AndEveryTokenItRetiredStaysKnownAsRetired()
    {
        var requests = new List<string>();
        var tables = TableStores.Tables(new RecordingPolicy(requests));
        var store = new RefreshTokenStore(tables, TimeProvider.System, NullLogger<RefreshTokenStore>.Instance);
        var (grantId, first) = await RedeemWithARefreshTokenAsync(tables);
        var second = await RotateAsync(store, grantId, first);
        var third = await RotateAsync(store, grantId, second);
        requests.Clear();

        var fourth = await RotateAsync(store, grantId, third);

        var rotation = requests.ToList();
        var (firstNow, secondNow, thirdNow, fourthNow) = await FindEachAsync(store, grantId, first, second, third, fourth);
        Assert.Multiple(async () =>
        {
            Assert.That(rotation, Is.EqualTo(new[] { "GET", "PATCH If-Match" }), "one read of the root, one conditional Merge of it");
            Assert.That((await GrantTable.RowsAsync(grantId)).Select(r => r.RowKey), Is.EqualTo(new[] { AuthorizationCodeEntity.Row }));
            Assert.That(new[] { firstNow, secondNow }.Select(t => (t!.IsRetired, t.SealedSuccessor)), Is.All.EqualTo((true, (string?)null)), "retired long ago: reuse, never a grace retry");
            Assert.That(thirdNow!.IsRetired, Is.True);
            Assert.That(thirdNow.SuccessorHash, Is.EqualTo(fourth.Record.Key), "the previous token knows its successor");
            Assert.That(thirdNow.OpenSuccessor(third.Token), Is.EqualTo(fourth.Token), "and holds it sealed for a retry in the grace window");
            Assert.That(fourthNow!.IsRetired, Is.False);
            Assert.That(fourthNow.ExpiresAt, Is.EqualTo(fourth.Record.ExpiresAt).Within(TimeSpan.FromSeconds(1)));
        });
    }

    [Test]
    public async Task RotationOfTheTokenThisProcessLastWrote_IsOneConditionalMergeUnderThatWritesETag_WithoutARead()
    {
        var requests = new List<string>();
        var tables = TableStores.Tables(new RecordingPolicy(requests));
        var store = new RefreshTokenStore(tables, TimeProvider.System, NullLogger<RefreshTokenStore>.Instance);
        var (grantId, first) = await RedeemWithARefreshTokenAsync(tables);
        var perRotation = new List<string[]>();

        var live = first;
        for (var i = 0; i < 3; i++)
        {
            requests.Clear();
            live = await RotateAsync(store, grantId, live, forRotation: true);
            perRotation.Add([.. requests]);
        }

        var (_, found) = await store.FindAsync(grantId, live.Record.Key, CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(perRotation, Is.All.EqualTo(new[] { "PATCH If-Match" }), "after the exchange's write and after each rotation's: one conditional Merge, no read");
            Assert.That(found, Is.Not.Null.And.Property(nameof(RefreshTokenRecord.IsRetired)).False, "the last successor is the live token");
        });
    }

    [TestCase(0, TestName = "WhatThisProcessLastWrote_AfterTheCodeExchange_IsWhatAReadOfTheRowFinds")]
    [TestCase(2, TestName = "WhatThisProcessLastWrote_AfterRotations_IsWhatAReadOfTheRowFinds")]
    public async Task WhatThisProcessLastWrote_IsWhatAReadOfTheRowFinds(int rotations)
    {
        var tables = TableStores.Tables();
        var store = new RefreshTokenStore(tables, TimeProvider.System, NullLogger<RefreshTokenStore>.Instance);
        var (grantId, live) = await RedeemWithARefreshTokenAsync(tables);
        for (var i = 0; i < rotations; i++)
        {
            live = await RotateAsync(store, grantId, live, forRotation: true);
        }

        var written = await store.FindForRotationAsync(grantId, live.Record.Key, CancellationToken.None);
        var read = await new RefreshTokenStore(TableStores.Tables(), TimeProvider.System, NullLogger<RefreshTokenStore>.Instance).FindAsync(grantId, live.Record.Key, CancellationToken.None);

        // Field by field, times to the storage's precision; the versions (the ETags) exactly.
        Assert.Multiple(() =>
        {
            Assert.That(Describe(written.Grant!), Is.EqualTo(Describe(read.Grant!)));
            Assert.That(Describe(written.Token!), Is.EqualTo(Describe(read.Token!)));
            Assert.That(written.Grant!.Version, Is.EqualTo(read.Grant!.Version));
            Assert.That(written.Token!.Version, Is.EqualTo(read.Token!.Version));
        });
    }

    [Test]
    public async Task RotationFromWhatThisProcessLastWrote_AfterAnotherProcessRevokedTheGrant_IsRevoked_AndRotatesNothing()
    {
        var tables = TableStores.Tables();
        var store = new RefreshTokenStore(tables, TimeProvider.System, NullLogger<RefreshTokenStore>.Instance);
        var (grantId, first) = await RedeemWithARefreshTokenAsync(tables);
        var otherProcess = new AuthorizationCodeStore(TableStores.Tables(), TimeProvider.System, NullLogger<AuthorizationCodeStore>.Instance);
        await otherProcess.RevokeAsync((await otherProcess.FindByGrantAsync(grantId, CancellationToken.None))!, CancellationToken.None);
        var (grant, token) = await store.FindForRotationAsync(grantId, first.Record.Key, CancellationToken.None);
        Assert.That(grant!.IsRevoked, Is.False, "this process still holds the grant as it wrote it");
        var successor = NewRefresh(grantId);

        var result = await store.RotateAsync(grant, token!, successor.Record, RefreshTokens.Seal(first.Token, successor.Token, token!.AssociatedData), CancellationToken.None);

        var (after, stillLive) = await store.FindAsync(grantId, first.Record.Key, CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(result.Outcome, Is.EqualTo(RotateOutcome.Revoked), "the If-Match failed, and the read after it found the revocation");
            Assert.That(after!.IsRevoked, Is.True);
            Assert.That(stillLive!.IsRetired, Is.False, "nothing was rotated");
        });
        Assert.That((await store.FindForRotationAsync(grantId, first.Record.Key, CancellationToken.None)).Grant!.IsRevoked, Is.True, "what was stale is forgotten: the next lookup reads");
    }

    [Test]
    public async Task RotationFromWhatThisProcessLastWrote_AfterAnotherProcessRotatedTheToken_IsRetiredByAnother_WithItsSuccessor()
    {
        var tables = TableStores.Tables();
        var store = new RefreshTokenStore(tables, TimeProvider.System, NullLogger<RefreshTokenStore>.Instance);
        var (grantId, first) = await RedeemWithARefreshTokenAsync(tables);
        var theirs = await RotateAsync(new RefreshTokenStore(TableStores.Tables(), TimeProvider.System, NullLogger<RefreshTokenStore>.Instance), grantId, first);
        var (grant, token) = await store.FindForRotationAsync(grantId, first.Record.Key, CancellationToken.None);
        var ours = NewRefresh(grantId);

        var result = await store.RotateAsync(grant!, token!, ours.Record, RefreshTokens.Seal(first.Token, ours.Token, token!.AssociatedData), CancellationToken.None);

        var (_, live) = await store.FindAsync(grantId, theirs.Record.Key, CancellationToken.None);
        var (_, neverWritten) = await store.FindAsync(grantId, ours.Record.Key, CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(result.Outcome, Is.EqualTo(RotateOutcome.RetiredByAnother));
            Assert.That(result.Current!.OpenSuccessor(first.Token), Is.EqualTo(theirs.Token), "the other process's successor, for the grace window's answer");
            Assert.That(live!.IsRetired, Is.False, "the other process's successor is still the live token");
            Assert.That(neverWritten, Is.Null, "ours was never written");
        });
    }

    [Test]
    public async Task FindingAToken_ReadsTheRootWithoutTheOtherRetiredKeys_SoItsCostDoesNotGrowWithRotations()
    {
        var bodies = new List<string>();
        var tables = TableStores.Tables(new ResponseBodies(bodies));
        var store = new RefreshTokenStore(tables, TimeProvider.System, NullLogger<RefreshTokenStore>.Instance);
        var (grantId, first) = await RedeemWithARefreshTokenAsync(tables);
        var live = first;
        for (var rotation = 0; rotation < 5; rotation++)
        {
            live = await RotateAsync(store, grantId, live);
        }

        bodies.Clear();

        var (_, liveNow) = await store.FindAsync(grantId, live.Record.Key, CancellationToken.None);
        var (_, firstNow) = await store.FindAsync(grantId, first.Record.Key, CancellationToken.None);

        var root = await GrantTable.RootAsync(grantId);
        static int RetiredKeys(string json) => System.Text.RegularExpressions.Regex.Count(json, "\"Retired_[0-9A-F]{32}\":");
        Assert.Multiple(() =>
        {
            Assert.That(liveNow!.IsRetired, Is.False);
            Assert.That(firstNow!.IsRetired, Is.True);
            Assert.That(root.Keys.Count(k => k.StartsWith("Retired_", StringComparison.Ordinal)), Is.EqualTo(5), "the row keeps every retired key");
            Assert.That(root.GetInt32(nameof(AuthorizationCodeEntity.RetiredRefreshCount)), Is.EqualTo(5));
            Assert.That(bodies.Select(RetiredKeys), Is.EqualTo(new[] { 0, 1 }), "the live token's read carries none of them, the first token's read only its own");
        });
    }

    [Test]
    public async Task PastTheRootsRetiredColumns_ARotationKeepsTheTokenItRetiresInARowOfItsOwn_StillKnownAsRetired()
    {
        var tables = TableStores.Tables();
        var store = new RefreshTokenStore(tables, TimeProvider.System, NullLogger<RefreshTokenStore>.Instance) { MaxRetiredColumns = 1 };
        var (grantId, first) = await RedeemWithARefreshTokenAsync(tables);
        var second = await RotateAsync(store, grantId, first);
        var third = await RotateAsync(store, grantId, second);

        var fourth = await RotateAsync(store, grantId, third);

        var (firstNow, secondNow, thirdNow, fourthNow) = await FindEachAsync(store, grantId, first, second, third, fourth);
        Assert.Multiple(async () =>
        {
            Assert.That((await GrantTable.RowsAsync(grantId)).Select(r => r.RowKey), Is.EquivalentTo(new[] { AuthorizationCodeEntity.Row, second.Record.Key, third.Record.Key }));
            Assert.That(firstNow!.IsRetired, Is.True, "in the root's one retired column");
            Assert.That(secondNow!.IsRetired, Is.True, "in its own row");
            Assert.That(secondNow.SuccessorHash, Is.EqualTo(third.Record.Key));
            Assert.That(thirdNow!.SuccessorHash, Is.EqualTo(fourth.Record.Key), "the previous token is still the root's");
            Assert.That(fourthNow!.IsRetired, Is.False);
        });
    }

    [Test]
    public async Task GrantRedeemedBeforeTheRootHeldItsRefreshTokens_IsFoundRotatedAndRetiredInRowsAsBefore()
    {
        var tables = TableStores.Tables();
        var codes = new AuthorizationCodeStore(tables, TimeProvider.System, NullLogger<AuthorizationCodeStore>.Instance);
        var store = new RefreshTokenStore(tables, TimeProvider.System, NullLogger<RefreshTokenStore>.Instance);
        var code = await codes.IssueAsync(NewCode(), CancellationToken.None);
        var issued = (await codes.FindByCodeAsync(code, CancellationToken.None))!;
        var (record, token) = NewRefresh(issued.GrantId);
        // The layout every grant redeemed before this change has: the first token in a row of its own, added in one
        // transaction with the root's Merge.
        await GrantTable.Client().SubmitTransactionAsync(
        [
            new(TableTransactionActionType.UpdateMerge, new TableEntity(issued.GrantId, AuthorizationCodeEntity.Row)
            {
                [nameof(AuthorizationCodeEntity.RedemptionId)] = Guid.NewGuid().ToString("N"),
                [nameof(AuthorizationCodeEntity.RedeemedAt)] = DateTimeOffset.UtcNow,
                [nameof(AuthorizationCodeEntity.GrantExpiresAt)] = DateTimeOffset.UtcNow.AddDays(1),
                [nameof(AuthorizationCodeEntity.RefreshExpiresAt)] = record.ExpiresAt,
            }, new Azure.ETag(issued.Version.Value!)),
            new(TableTransactionActionType.Add, RefreshTokenStore.ToEntity(record)),
        ]);
        var (grant, old) = await store.FindAsync(issued.GrantId, record.Key, CancellationToken.None);
        var (successor, successorToken) = NewRefresh(issued.GrantId);

        var result = await store.RotateAsync(grant!, old!, successor, RefreshTokens.Seal(token, successorToken, old!.AssociatedData), CancellationToken.None);

        var (_, retired) = await store.FindAsync(issued.GrantId, record.Key, CancellationToken.None);
        var rows = await GrantTable.RowsAsync(issued.GrantId);
        Assert.Multiple(() =>
        {
            Assert.That(old.IsRetired, Is.False);
            Assert.That(result.Outcome, Is.EqualTo(RotateOutcome.Rotated));
            Assert.That(retired!.SuccessorHash, Is.EqualTo(successor.Key));
            Assert.That(retired.OpenSuccessor(token), Is.EqualTo(successorToken));
            Assert.That(rows.Select(r => r.RowKey), Is.EquivalentTo(new[] { AuthorizationCodeEntity.Row, record.Key, successor.Key }));
            Assert.That(rows.Single(r => r.RowKey == AuthorizationCodeEntity.Row).ContainsKey(nameof(AuthorizationCodeEntity.RefreshKey)), Is.False, "the old layout is read as it is, not migrated");
        });
    }

    [Test]
    public async Task RootHeldRefreshTokenWithADamagedColumn_IsAMalformedRowNamingTheColumn()
    {
        var tables = TableStores.Tables();
        var codes = new AuthorizationCodeStore(tables, TimeProvider.System, NullLogger<AuthorizationCodeStore>.Instance);
        var code = await codes.IssueAsync(NewCode(), CancellationToken.None);
        var grant = (await codes.FindByCodeAsync(code, CancellationToken.None))!;
        var (record, token) = NewRefresh(grant.GrantId);
        await codes.RedeemAsync(grant, new FirstRefreshToken(record, DateTimeOffset.UtcNow.AddDays(1), CodeRetrySeal.Seal(code, null, token, grant.GrantId)), CancellationToken.None);
        await GrantTable.Client().UpdateEntityAsync(
            new TableEntity(grant.GrantId, AuthorizationCodeEntity.Row) { [nameof(AuthorizationCodeEntity.RefreshIssuedAt)] = "tomorrow" }, Azure.ETag.All, TableUpdateMode.Merge);

        var damaged = await Assert.ThrowsAsync<MalformedRowException>(() => new RefreshTokenStore(tables, TimeProvider.System, NullLogger<RefreshTokenStore>.Instance)
            .FindAsync(grant.GrantId, record.Key, CancellationToken.None));

        Assert.That(damaged!.Problem, Does.Contain(nameof(AuthorizationCodeEntity.RefreshIssuedAt)).And.Not.Contain("tomorrow"));
    }

    [Test]
    public async Task IssuedCode_IsStoredOnlyAsItsHash()
    {
        var service = new TableServiceClient(TestEnvironment.Azurite.ConnectionString);
        var code = await CodeStore().IssueAsync(NewCode(), CancellationToken.None);

        var row = await service.GetTableClient(TableNames.Grants).GetEntityAsync<TableEntity>(GrantKeys.ForCode(code), AuthorizationCodeEntity.Row);

        Assert.That(row.Value.Select(property => property.Value?.ToString()), Has.None.Contains(code));
        Assert.That(row.Value.PartitionKey, Is.Not.EqualTo(code));
    }

    [Test]
    public async Task IssuedCode_KeepsItsResourcesOnePerLine_AndWithoutResourcesHasNoResourcesColumn()
    {
        var service = new TableServiceClient(TestEnvironment.Azurite.ConnectionString);
        var codes = CodeStore();
        var withResources = await codes.IssueAsync(NewCode() with { Resources = ["https://orders.example.test/", "https://reports.example.test/api"] }, CancellationToken.None);
        var without = await codes.IssueAsync(NewCode(), CancellationToken.None);

        var table = service.GetTableClient(TableNames.Grants);
        var rowWith = await table.GetEntityAsync<TableEntity>(GrantKeys.ForCode(withResources), AuthorizationCodeEntity.Row);
        var rowWithout = await table.GetEntityAsync<TableEntity>(GrantKeys.ForCode(without), AuthorizationCodeEntity.Row);

        Assert.Multiple(() =>
        {
            Assert.That(rowWith.Value.GetString(nameof(AuthorizationCodeEntity.Resources)), Is.EqualTo("https://orders.example.test/\nhttps://reports.example.test/api"));
            Assert.That(rowWithout.Value.ContainsKey(nameof(AuthorizationCodeEntity.Resources)), Is.False, "the authorize step's rows without resources look the same");
        });
    }

    [Test]
    public async Task ADamagedRootRow_IsAMalformedRowNamingTheColumn_ForEveryReader()
    {
        var client = "damaged-" + Guid.NewGuid().ToString("N");
        var code = await DamagedRows.IssueCodeAsync(client, Damage.WrongType, DateTimeOffset.UtcNow);
        var tables = TableStores.Tables();
        var codes = new AuthorizationCodeStore(tables, TimeProvider.System, NullLogger<AuthorizationCodeStore>.Instance);
        var refresh = new RefreshTokenStore(tables, TimeProvider.System, NullLogger<RefreshTokenStore>.Instance);
        var grantId = GrantKeys.ForCode(code.Code);

        var byCode = await Assert.ThrowsAsync<MalformedRowException>(() => codes.FindByCodeAsync(code.Code, CancellationToken.None));
        var byToken = await Assert.ThrowsAsync<MalformedRowException>(() => refresh.FindAsync(grantId, RefreshTokens.RowKeyOf(RefreshTokens.NewToken(grantId)), CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(byCode!.Problem, Does.Contain(nameof(AuthorizationCodeEntity.ExpiresAt)));
            Assert.That(byToken!.Problem, Does.Contain(nameof(AuthorizationCodeEntity.ExpiresAt)));
            Assert.That(byCode.ShortId, Is.EqualTo(GrantKeys.ForLog(grantId)));
        });
    }

    /// <summary>Keeps the body of each answer to a read.</summary>
    private sealed class ResponseBodies(List<string> bodies) : HttpPipelineSynchronousPolicy
    {
        public override void OnReceivedResponse(HttpMessage message)
        {
            if (message.Request.Method == RequestMethod.Get)
            {
                bodies.Add(message.Response.Content.ToString());
            }
        }
    }

    /// <summary>Records each request's method, and whether it was conditional.</summary>
    private sealed class RecordingPolicy(List<string> requests) : HttpPipelineSynchronousPolicy
    {
        public override void OnSendingRequest(HttpMessage message)
        {
            var method = message.Request.Headers.TryGetValue("X-HTTP-Method", out var tunnelled) ? tunnelled : message.Request.Method.Method;
            requests.Add(message.Request.Uri.Path.EndsWith("$batch", StringComparison.Ordinal) ? "BATCH"
                : message.Request.Headers.TryGetValue("If-Match", out _) ? method + " If-Match" : method);
        }
    }

    private static async Task<(string GrantId, (RefreshTokenRecord Record, string Token) First)> RedeemWithARefreshTokenAsync(TokenTables tables)
    {
        var codes = new AuthorizationCodeStore(tables, TimeProvider.System, NullLogger<AuthorizationCodeStore>.Instance);
        var code = await codes.IssueAsync(NewCode(), CancellationToken.None);
        var grant = (await codes.FindByCodeAsync(code, CancellationToken.None))!;
        var first = NewRefresh(grant.GrantId);
        var outcome = await codes.RedeemAsync(grant, new FirstRefreshToken(first.Record, DateTimeOffset.UtcNow.AddDays(1), CodeRetrySeal.Seal(code, null, first.Token, grant.GrantId)), CancellationToken.None);
        Assert.That(outcome.Outcome, Is.EqualTo(RedeemOutcome.Redeemed));
        return (grant.GrantId, first);
    }

    /// <summary>Four tokens of a grant as the store now finds them.</summary>
    private static async Task<(RefreshTokenRecord? First, RefreshTokenRecord? Second, RefreshTokenRecord? Third, RefreshTokenRecord? Fourth)> FindEachAsync(
        RefreshTokenStore store, string grantId,
        (RefreshTokenRecord Record, string Token) first, (RefreshTokenRecord Record, string Token) second,
        (RefreshTokenRecord Record, string Token) third, (RefreshTokenRecord Record, string Token) fourth)
    {
        async Task<RefreshTokenRecord?> FindAsync((RefreshTokenRecord Record, string Token) token) =>
            (await store.FindAsync(grantId, token.Record.Key, CancellationToken.None)).Token;
        return (await FindAsync(first), await FindAsync(second), await FindAsync(third), await FindAsync(fourth));
    }

    /// <summary>
    /// Rotates the live <paramref name="old"/>: found (read, or with <paramref name="forRotation"/> as the refresh grant
    /// finds it, from what the store last wrote), then rotated against what was found.
    /// </summary>
    private static async Task<(RefreshTokenRecord Record, string Token)> RotateAsync(
        RefreshTokenStore store, string grantId, (RefreshTokenRecord Record, string Token) old, bool forRotation = false)
    {
        var (grant, found) = forRotation
            ? await store.FindForRotationAsync(grantId, old.Record.Key, CancellationToken.None)
            : await store.FindAsync(grantId, old.Record.Key, CancellationToken.None);
        var successor = NewRefresh(grantId);
        var result = await store.RotateAsync(grant!, found!, successor.Record, RefreshTokens.Seal(old.Token, successor.Token, found!.AssociatedData), CancellationToken.None);
        Assert.That(result.Outcome, Is.EqualTo(RotateOutcome.Rotated));
        return successor;
    }

    /// <summary>A record's fields as text, times to the millisecond, without its version.</summary>
    private static string Describe(object record) =>
        string.Join("\n", record.GetType().GetProperties()
            .Where(property => property.Name != "Version")
            .Select(property => property.Name + "=" + property.GetValue(record) switch
            {
                DateTimeOffset time => time.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture)[..23],
                string text => text,
                IEnumerable<string> list => string.Join(" ", list),
                var value => value?.ToString(),
            }));

    private static AuthorizationCodeStore CodeStore(HttpPipelinePolicy? policy = null) =>
        new(TableStores.Tables(policy), TimeProvider.System, NullLogger<AuthorizationCodeStore>.Instance);

    private static NewAuthorizationCode NewCode() =>
        new("store-client", TestClients.RedirectUri, null, null, "alice", "orders:read", TimeSpan.FromMinutes(1));

    private static (RefreshTokenRecord Record, string Token) NewRefresh(string grantId)
    {
        var token = RefreshTokens.NewToken(grantId);
        var now = DateTimeOffset.UtcNow;
        return (new RefreshTokenRecord { GrantId = grantId, Key = RefreshTokens.RowKeyOf(token), IssuedAt = now, ExpiresAt = now.AddHours(1) }, token);
    }
}

/// <summary>
/// Lets the first matching write that succeeds reach storage, then throws as if its response were lost on the way back:
/// Azure.Core's retry policy then sends the same write again.
/// </summary>
internal sealed class LoseFirstWriteResponsePolicy(Func<Request, bool> matches) : HttpPipelinePolicy
{
    public bool Armed { get; set; } = true;

    public bool Dropped { get; private set; }

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
        throw new NotSupportedException("The stores are async all the way.");

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        await ProcessNextAsync(message, pipeline);
        if (Armed && !Dropped && matches(message.Request) && message.Response.Status is >= 200 and < 300)
        {
            Dropped = true;
            throw new IOException("Simulated: the connection dropped before the response arrived.");
        }
    }
}
