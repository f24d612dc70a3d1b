using Microsoft.Extensions.Time.Testing;
using TokenFunction.Grants;
using TokenFunction.Tests.Infrastructure;

namespace TokenFunction.Tests.Storage;

/// <summary>The stores behind the grant ports, as one implementation provides them.</summary>
public sealed record GrantStores(IAuthorizationCodeIssuer Issuer, ICodeRedemptionStore Codes, IRefreshRotationStore RefreshTokens, IGrantRevocationStore Revocations);

/// <summary>
/// The contract of the grant ports, run against every implementation (in memory, and Table Storage on Azurite): a code
/// is consumed once and the loser is shown the winner's record, the first refresh token comes with the redemption or not
/// at all, a rotation is conditional and atomic, a revocation sticks and stops rotations. The grant handlers rely on
/// nothing else.
/// </summary>
public abstract class GrantStoreContract
{
    protected FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    protected abstract GrantStores CreateStores();

    [Test]
    public async Task IssuedCode_IsFoundWithWhatTheAuthorizeStepDecided()
    {
        var stores = CreateStores();
        var code = await stores.Issuer.IssueAsync(NewCode() with { Resources = ["https://orders.example.test/", "https://orders.example.test/"] }, CancellationToken.None);

        var grant = await stores.Codes.FindByCodeAsync(code, CancellationToken.None);

        Assert.That(grant, Is.Not.Null);
        Assert.Multiple(() =>
        {
            Assert.That(grant!.GrantId, Is.EqualTo(GrantKeys.ForCode(code)));
            Assert.That((grant.ClientId, grant.Subject, grant.Scope, grant.RedirectUri), Is.EqualTo(("store-client", "alice", "orders:read", TestClients.RedirectUri)));
            Assert.That(grant.Resources, Is.EqualTo(new[] { "https://orders.example.test/" }), "each resource once");
            Assert.That(grant.ExpiresAt, Is.EqualTo(Clock.GetUtcNow() + TimeSpan.FromMinutes(1)).Within(TimeSpan.FromSeconds(1)));
            Assert.That((grant.IsRedeemed, grant.IsRevoked), Is.EqualTo((false, false)));
        });
    }

    [Test]
    public async Task UnknownCode_IsNotFound()
    {
        Assert.That(await CreateStores().Codes.FindByCodeAsync("no-such-code", CancellationToken.None), Is.Null);
    }

    [Test]
    public async Task TwoRedeemersHoldingTheSameRecord_OneWins_TheOtherIsShownTheWinnersRecord_AndNothingIsRevoked()
    {
        var stores = CreateStores();
        var code = await stores.Issuer.IssueAsync(NewCode(), CancellationToken.None);
        var first = (await stores.Codes.FindByCodeAsync(code, CancellationToken.None))!;
        var second = (await stores.Codes.FindByCodeAsync(code, CancellationToken.None))!;

        var won = await stores.Codes.RedeemAsync(first, null, CancellationToken.None);
        var lost = await stores.Codes.RedeemAsync(second, null, CancellationToken.None);

        var after = (await stores.Codes.FindByCodeAsync(code, CancellationToken.None))!;
        Assert.Multiple(() =>
        {
            Assert.That((won.Outcome, lost.Outcome), Is.EqualTo((RedeemOutcome.Redeemed, RedeemOutcome.AlreadyRedeemed)));
            Assert.That(lost.Current?.RedemptionId, Is.EqualTo(after.RedemptionId).And.Not.Null, "the loser sees the winner's redemption");
            Assert.That(after.RedeemedAt, Is.Not.Null);
            Assert.That(after.IsRevoked, Is.False, "the store does not revoke: the grant handler judges a retry from a replay");
        });
    }

    [Test]
    public async Task TwentyConcurrentRedeemers_ExactlyOneWins()
    {
        var stores = CreateStores();
        var code = await stores.Issuer.IssueAsync(NewCode(), CancellationToken.None);
        var grant = (await stores.Codes.FindByCodeAsync(code, CancellationToken.None))!;

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => stores.Codes.RedeemAsync(grant, null, CancellationToken.None)));

        Assert.That(outcomes.Count(o => o.Outcome == RedeemOutcome.Redeemed), Is.EqualTo(1));
    }

    [Test]
    public async Task RedemptionWithARefreshToken_AddsItWithTheCode_AndTheLosersTokenIsNeverStored()
    {
        var stores = CreateStores();
        var code = await stores.Issuer.IssueAsync(NewCode(), CancellationToken.None);
        var first = (await stores.Codes.FindByCodeAsync(code, CancellationToken.None))!;
        var second = (await stores.Codes.FindByCodeAsync(code, CancellationToken.None))!;
        var (winner, winnerToken) = NewRefresh(first.GrantId);
        var (loser, loserToken) = NewRefresh(first.GrantId);

        var won = await stores.Codes.RedeemAsync(first, First(code, winner, winnerToken), CancellationToken.None);
        var lost = await stores.Codes.RedeemAsync(second, First(code, loser, loserToken), CancellationToken.None);

        var after = (await stores.Codes.FindByCodeAsync(code, CancellationToken.None))!;
        Assert.Multiple(async () =>
        {
            Assert.That((won.Outcome, lost.Outcome), Is.EqualTo((RedeemOutcome.Redeemed, RedeemOutcome.AlreadyRedeemed)));
            Assert.That(await stores.RefreshTokens.FindTokenAsync(first.GrantId, winner.Key, CancellationToken.None), Is.Not.Null);
            Assert.That(await stores.RefreshTokens.FindTokenAsync(first.GrantId, loser.Key, CancellationToken.None), Is.Null);
            Assert.That(after.GrantExpiresAt, Is.EqualTo(Clock.GetUtcNow().AddDays(1)).Within(TimeSpan.FromSeconds(1)));
            Assert.That(after.RefreshExpiresAt, Is.EqualTo(winner.ExpiresAt).Within(TimeSpan.FromSeconds(1)));
            Assert.That(lost.Current?.SealedRefreshToken, Is.Not.Null, "the loser is shown the sealed first token, to judge a lost answer's retry");
            Assert.That(CodeRetrySeal.Open(code, null, lost.Current!.SealedRefreshToken!, first.GrantId), Is.EqualTo(winnerToken), "which the code opens");
        });
    }

    [Test]
    public async Task IssuedCode_CarriesTheGrantTheStoreKeeps_WithTheVersionItWasIssuedAt()
    {
        var stores = CreateStores();
        var code = await stores.Issuer.IssueAsync(NewCode() with { Resources = ["https://orders.example.test/"], DpopJkt = "jkt-of-the-key" }, CancellationToken.None);

        var stored = (await stores.Codes.FindByCodeAsync(code, CancellationToken.None))!;

        Assert.That(IssuedCodes.TryRead(code, out var carried), Is.True);
        Assert.That(carried, Is.EqualTo(stored with { Resources = carried!.Resources }));
        Assert.That(carried.Resources, Is.EqualTo(stored.Resources));
    }

    [Test]
    public async Task CodeAsIssued_IsConsumedOnce_WithItsFirstRefreshToken_AndASecondRedeemerIsTurnedBack()
    {
        var stores = CreateStores();
        var code = await stores.Issuer.IssueAsync(NewCode(), CancellationToken.None);
        Assert.That(IssuedCodes.TryRead(code, out var issued), Is.True);
        var (winner, winnerToken) = NewRefresh(issued!.GrantId);
        var (loser, loserToken) = NewRefresh(issued.GrantId);

        var won = await stores.Codes.RedeemAsIssuedAsync(issued, First(code, winner, winnerToken), CancellationToken.None);
        var lost = await stores.Codes.RedeemAsIssuedAsync(issued, First(code, loser, loserToken), CancellationToken.None);

        var after = (await stores.Codes.FindByCodeAsync(code, CancellationToken.None))!;
        Assert.Multiple(async () =>
        {
            Assert.That((won, lost), Is.EqualTo((true, false)));
            Assert.That(after.IsRedeemed, Is.True);
            Assert.That(after.IsRevoked, Is.False, "the store does not revoke: the grant handler reads the record and judges");
            Assert.That(await stores.RefreshTokens.FindTokenAsync(issued.GrantId, winner.Key, CancellationToken.None), Is.Not.Null);
            Assert.That(await stores.RefreshTokens.FindTokenAsync(issued.GrantId, loser.Key, CancellationToken.None), Is.Null);
        });
    }

    [Test]
    public async Task TwentyConcurrentRedeemersOfACodeAsIssued_ExactlyOneWins()
    {
        var stores = CreateStores();
        var code = await stores.Issuer.IssueAsync(NewCode(), CancellationToken.None);
        Assert.That(IssuedCodes.TryRead(code, out var issued), Is.True);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => stores.Codes.RedeemAsIssuedAsync(issued!, null, CancellationToken.None)));

        Assert.That(outcomes.Count(won => won), Is.EqualTo(1));
    }

    [Test]
    public async Task CodeWhoseGrantWasRevokedAfterIssue_IsNotConsumedAsIssued()
    {
        var stores = CreateStores();
        var code = await stores.Issuer.IssueAsync(NewCode(), CancellationToken.None);
        await stores.Revocations.RevokeAsync((await stores.Codes.FindByCodeAsync(code, CancellationToken.None))!, CancellationToken.None);
        Assert.That(IssuedCodes.TryRead(code, out var issued), Is.True);

        var won = await stores.Codes.RedeemAsIssuedAsync(issued!, null, CancellationToken.None);

        var after = (await stores.Codes.FindByCodeAsync(code, CancellationToken.None))!;
        Assert.That((won, after.IsRedeemed, after.IsRevoked), Is.EqualTo((false, false, true)));
    }

    [Test]
    public async Task CodeAsIssuedWithoutAVersion_IsRefusedRatherThanWrittenUnconditionally()
    {
        var stores = CreateStores();
        var code = await stores.Issuer.IssueAsync(NewCode(), CancellationToken.None);
        Assert.That(IssuedCodes.TryRead(code, out var issued), Is.True);

        await Assert.ThrowsAsync<ArgumentException>(() => stores.Codes.RedeemAsIssuedAsync(issued! with { Version = default }, null, CancellationToken.None));
        Assert.That((await stores.Codes.FindByCodeAsync(code, CancellationToken.None))!.IsRedeemed, Is.False);
    }

    [Test]
    public async Task RedeemingARevokedGrant_IsAlreadyRedeemed_WithTheRevokedRecord()
    {
        var stores = CreateStores();
        var code = await stores.Issuer.IssueAsync(NewCode(), CancellationToken.None);
        var grant = (await stores.Codes.FindByCodeAsync(code, CancellationToken.None))!;
        await stores.Revocations.RevokeAsync(grant, CancellationToken.None);

        var result = await stores.Codes.RedeemAsync(grant, null, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(result.Outcome, Is.EqualTo(RedeemOutcome.AlreadyRedeemed));
            Assert.That(result.Current?.IsRevoked, Is.True);
        });
    }

    [Test]
    public async Task RedeemWithoutAVersion_IsRefusedRatherThanWrittenUnconditionally()
    {
        var stores = CreateStores();
        var code = await stores.Issuer.IssueAsync(NewCode(), CancellationToken.None);
        var grant = (await stores.Codes.FindByCodeAsync(code, CancellationToken.None))! with { Version = default };

        await Assert.ThrowsAsync<ArgumentException>(() => stores.Codes.RedeemAsync(grant, null, CancellationToken.None));
        Assert.That((await stores.Codes.FindByCodeAsync(code, CancellationToken.None))!.IsRedeemed, Is.False);
    }

    [Test]
    public async Task Revocation_SticksAndIsIdempotent_EvenFromAStaleRecord()
    {
        var stores = CreateStores();
        var (code, grant, _, _) = await RedeemedWithRefreshAsync(stores);
        var stale = (await stores.Codes.FindByCodeAsync(code, CancellationToken.None))!;

        await stores.Revocations.RevokeAsync(grant, CancellationToken.None);
        var revokedAt = (await stores.Codes.FindByCodeAsync(code, CancellationToken.None))!.RevokedAt;
        Clock.Advance(TimeSpan.FromMinutes(1));
        await stores.Revocations.RevokeAsync(stale, CancellationToken.None);

        Assert.That(revokedAt, Is.Not.Null);
        Assert.That((await stores.Codes.FindByCodeAsync(code, CancellationToken.None))!.RevokedAt, Is.EqualTo(revokedAt), "a revoked grant is left as it is");
    }

    [Test]
    public async Task Rotation_RetiresTheOldToken_SealsTheSuccessorForItsHolder_AndMovesTheIdleExpiry()
    {
        var stores = CreateStores();
        var (_, grant, old, oldToken) = await RedeemedWithRefreshAsync(stores);
        var (successor, successorToken) = NewRefresh(grant.GrantId, hours: 2);

        var result = await stores.RefreshTokens.RotateAsync(grant, old, successor, RefreshTokens.Seal(oldToken, successorToken, old.AssociatedData), CancellationToken.None);

        var (after, retired) = await stores.RefreshTokens.FindAsync(grant.GrantId, old.Key, CancellationToken.None);
        Assert.Multiple(async () =>
        {
            Assert.That(result.Outcome, Is.EqualTo(RotateOutcome.Rotated));
            Assert.That(retired!.IsRetired, Is.True);
            Assert.That(retired.SuccessorHash, Is.EqualTo(successor.Key));
            Assert.That(retired.OpenSuccessor(oldToken), Is.EqualTo(successorToken), "the holder of the old token recovers the successor");
            Assert.That(retired.OpenSuccessor(NewRefresh(grant.GrantId).Token), Is.Null, "nobody else does");
            Assert.That(await stores.RefreshTokens.FindTokenAsync(grant.GrantId, successor.Key, CancellationToken.None), Is.Not.Null);
            Assert.That(after!.RefreshExpiresAt, Is.EqualTo(successor.ExpiresAt).Within(TimeSpan.FromSeconds(1)));
        });
    }

    [Test]
    public async Task TwoRotationsOfOneToken_OneWins_TheOtherIsShownTheRetiredRecord()
    {
        var stores = CreateStores();
        var (_, grant, old, oldToken) = await RedeemedWithRefreshAsync(stores);
        var (first, firstToken) = NewRefresh(grant.GrantId);
        var (second, secondToken) = NewRefresh(grant.GrantId);

        var won = await stores.RefreshTokens.RotateAsync(grant, old, first, RefreshTokens.Seal(oldToken, firstToken, old.AssociatedData), CancellationToken.None);
        var lost = await stores.RefreshTokens.RotateAsync(grant, old, second, RefreshTokens.Seal(oldToken, secondToken, old.AssociatedData), CancellationToken.None);

        Assert.Multiple(async () =>
        {
            Assert.That((won.Outcome, lost.Outcome), Is.EqualTo((RotateOutcome.Rotated, RotateOutcome.RetiredByAnother)));
            Assert.That(lost.Current?.SuccessorHash, Is.EqualTo(first.Key), "the loser sees the winner's successor, to answer within the grace window");
            Assert.That(lost.Current!.OpenSuccessor(oldToken), Is.EqualTo(firstToken));
            Assert.That(await stores.RefreshTokens.FindTokenAsync(grant.GrantId, second.Key, CancellationToken.None), Is.Null, "one live successor only");
        });
    }

    [Test]
    public async Task RotationAfterTheGrantWasRevoked_IsRevoked_AndAddsNoSuccessor()
    {
        var stores = CreateStores();
        var (_, grant, old, oldToken) = await RedeemedWithRefreshAsync(stores);
        await stores.Revocations.RevokeAsync(grant, CancellationToken.None);
        var (successor, successorToken) = NewRefresh(grant.GrantId);

        var result = await stores.RefreshTokens.RotateAsync(grant, old, successor, RefreshTokens.Seal(oldToken, successorToken, old.AssociatedData), CancellationToken.None);

        Assert.That(result.Outcome, Is.EqualTo(RotateOutcome.Revoked));
        Assert.That(await stores.RefreshTokens.FindTokenAsync(grant.GrantId, successor.Key, CancellationToken.None), Is.Null, "no successor after revocation");
    }

    [Test]
    public async Task RotateWithoutVersions_IsRefusedRatherThanWrittenUnconditionally()
    {
        var stores = CreateStores();
        var (_, grant, old, oldToken) = await RedeemedWithRefreshAsync(stores);
        var (successor, successorToken) = NewRefresh(grant.GrantId);

        await Assert.ThrowsAsync<ArgumentException>(() => stores.RefreshTokens.RotateAsync(grant, old with { Version = default }, successor, RefreshTokens.Seal(oldToken, successorToken, old.AssociatedData), CancellationToken.None));
        Assert.That((await stores.RefreshTokens.FindTokenAsync(grant.GrantId, old.Key, CancellationToken.None))!.IsRetired, Is.False);
    }

    [Test]
    public async Task UnknownTokenOfAKnownGrant_IsNotFound_ButItsGrantIs()
    {
        var stores = CreateStores();
        var (_, grant, _, _) = await RedeemedWithRefreshAsync(stores);

        var (found, token) = await stores.RefreshTokens.FindAsync(grant.GrantId, RefreshTokens.RowKeyOf(RefreshTokens.NewToken(grant.GrantId)), CancellationToken.None);

        Assert.That((found?.GrantId, token), Is.EqualTo((grant.GrantId, (RefreshTokenRecord?)null)));
    }

    protected static NewAuthorizationCode NewCode() =>
        new("store-client", TestClients.RedirectUri, null, null, "alice", "orders:read", TimeSpan.FromMinutes(1));

    protected async Task<(string Code, AuthorizationGrant Grant, RefreshTokenRecord Token, string Value)> RedeemedWithRefreshAsync(GrantStores stores)
    {
        var code = await stores.Issuer.IssueAsync(NewCode(), CancellationToken.None);
        var issued = (await stores.Codes.FindByCodeAsync(code, CancellationToken.None))!;
        var (record, token) = NewRefresh(issued.GrantId);
        Assert.That((await stores.Codes.RedeemAsync(issued, First(code, record, token), CancellationToken.None)).Outcome, Is.EqualTo(RedeemOutcome.Redeemed));
        var (grant, stored) = await stores.RefreshTokens.FindAsync(issued.GrantId, record.Key, CancellationToken.None);
        return (code, grant!, stored!, token);
    }

    protected FirstRefreshToken First(string code, RefreshTokenRecord record, string token) =>
        new(record, Clock.GetUtcNow().AddDays(1), CodeRetrySeal.Seal(code, null, token, record.GrantId));

    protected (RefreshTokenRecord Record, string Token) NewRefresh(string grantId, int hours = 1)
    {
        var token = RefreshTokens.NewToken(grantId);
        var now = Clock.GetUtcNow();
        return (new RefreshTokenRecord { GrantId = grantId, Key = RefreshTokens.RowKeyOf(token), IssuedAt = now, ExpiresAt = now.AddHours(hours) }, token);
    }
}
