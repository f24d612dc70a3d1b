using System.Net;
using Azure.Data.Tables;
using Duende.IdentityModel.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using TokenFunction.Protocol;
using TokenFunction.Grants;
using TokenFunction.Storage;
using TokenFunction.Tests.Infrastructure;

namespace TokenFunction.Tests.EndToEnd;

/// <summary>
/// Refresh tokens over HTTP against Azurite (RFC 6749 section 6, RFC 9700 section 4.14): issue with the code, rotate on
/// every use, revoke the grant on reuse or code replay. The service runs on a fake clock that tests move.
/// </summary>
public sealed class RefreshTokenTests : EndToEndTest
{
    private const int GraceSeconds = 30;
    private const int IdleSeconds = 3600;
    private const int AbsoluteSeconds = 3 * 3600;
    protected override bool UsesFakeClock => true;

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        [TokenFunction.Settings.SettingNames.TokenRefreshReuseGraceSeconds] = GraceSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        [TokenFunction.Settings.SettingNames.TokenRefreshTokenIdleLifetimeSeconds] = IdleSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        [TokenFunction.Settings.SettingNames.TokenRefreshTokenAbsoluteLifetimeSeconds] = AbsoluteSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    [Test]
    public async Task CodeExchange_ForClientAllowedRefreshTokens_ReturnsAnOpaqueRefreshTokenStoredOnlyAsItsHash_InTheGrantsRootRow()
    {
        var client = await Clients.AddConfidentialAsync(grantTypes: TestClients.WithRefreshTokens);
        var code = await Clients.IssueCodeAsync(client.ClientId);

        var response = await CodeRedemption.RedeemAsync(Http, Host.TokenEndpoint, client, code);

        Assert.That(response.IsError, Is.False, response.Raw);
        var grantId = GrantKeys.ForCode(code.Code);
        Assert.That(response.RefreshToken, Does.Match("^[A-Za-z0-9_-]{43}\\.[A-Za-z0-9_-]{43}$").And.StartWith(grantId + "."));
        var rows = await GrantRowsAsync(grantId);
        Assert.Multiple(() =>
        {
            Assert.That(rows.Select(r => r.RowKey), Is.EquivalentTo(new[] { AuthorizationCodeEntity.Row }), "the first refresh token is held by the root: the exchange is one conditional write");
            Assert.That(GrantTable.RefreshKeys(rows), Is.EqualTo(new[] { RefreshTokens.RowKeyOf(response.RefreshToken!) }));
            Assert.That(rows.SelectMany(r => r.Select(p => p.Value?.ToString())), Has.None.Contains(response.RefreshToken!.Split('.')[1]), "the token's secret part is stored nowhere");
        });
    }

    [Test]
    public async Task CodeExchange_ForClientWithoutTheRefreshGrant_ReturnsNoRefreshToken()
    {
        var client = await Clients.AddConfidentialAsync();

        var response = await CodeRedemption.RedeemAsync(Http, Host.TokenEndpoint, client, await Clients.IssueCodeAsync(client.ClientId));

        Assert.That(response.IsError, Is.False, response.Raw);
        Assert.That(response.RefreshToken, Is.Null);
    }

    [Test]
    public async Task Refresh_ReturnsAValidAccessTokenAndARotatedRefreshToken()
    {
        var (client, first) = await StartGrantAsync();

        var refreshed = await RefreshAsync(client, first.RefreshToken!);

        Assert.That(refreshed.IsError, Is.False, refreshed.Raw);
        Assert.That(refreshed.RefreshToken, Is.Not.Null.And.Not.EqualTo(first.RefreshToken));
        Assert.That(refreshed.Scope, Is.EqualTo(TestClients.Scope));
        var validation = await JwtValidation.ValidateAsync(Http, Host.JwksUri, refreshed.AccessToken!, ServiceHost.Issuer, ServiceHost.Audience);
        Assert.That(validation.IsValid, Is.True, validation.Exception?.Message);
        var jwt = (JsonWebToken)validation.SecurityToken;
        Assert.Multiple(() =>
        {
            Assert.That(jwt.Subject, Is.EqualTo("alice"));
            Assert.That(jwt.GetClaim("client_id").Value, Is.EqualTo(client.ClientId));
        });

        var again = await RefreshAsync(client, refreshed.RefreshToken!);
        Assert.That(again.IsError, Is.False, again.Raw);
    }

    [Test]
    public async Task Refresh_ByAPublicClientWithItsClientId_Succeeds()
    {
        var client = await Clients.AddPublicAsync(grantTypes: TestClients.WithRefreshTokens);
        var first = await CodeRedemption.RedeemAsync(Http, Host.TokenEndpoint, client, await Clients.IssueCodeAsync(client.ClientId));
        Assert.That(first.RefreshToken, Is.Not.Null, first.Raw);

        var refreshed = await RefreshAsync(client, first.RefreshToken!);

        Assert.That(refreshed.IsError, Is.False, refreshed.Raw);
        Assert.That(refreshed.RefreshToken, Is.Not.Null);
    }

    [Test]
    public async Task Refresh_WithANarrowerScope_NarrowsOnlyTheNewAccessToken()
    {
        var (client, first) = await StartGrantAsync();

        var narrowed = await RefreshAsync(client, first.RefreshToken!, scope: "orders:read");
        Assert.That(narrowed.IsError, Is.False, narrowed.Raw);
        Assert.That(narrowed.Scope, Is.EqualTo("orders:read"));

        var full = await RefreshAsync(client, narrowed.RefreshToken!);
        Assert.That(full.IsError, Is.False, full.Raw);
        Assert.That(full.Scope, Is.EqualTo(TestClients.Scope), "the new refresh token keeps the grant's scope");
    }

    [Test]
    public async Task Refresh_WithAScopeWiderThanTheGrant_IsInvalidScope()
    {
        var (client, first) = await StartGrantAsync();

        var response = await RefreshAsync(client, first.RefreshToken!, scope: "orders:read admin");

        await OAuthAssert.ErrorAsync(response.HttpResponse!, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidScope);
        Assert.That((await RefreshAsync(client, first.RefreshToken!)).IsError, Is.False, "a refused scope does not consume the token");
    }

    [Test]
    public async Task Refresh_WithAnotherClientsToken_IsInvalidGrant()
    {
        var (owner, first) = await StartGrantAsync();
        var other = await Clients.AddConfidentialAsync(grantTypes: TestClients.WithRefreshTokens);

        var response = await RefreshAsync(other, first.RefreshToken!);

        await OAuthAssert.ErrorAsync(response.HttpResponse!, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidGrant);
        Assert.That((await RefreshAsync(owner, first.RefreshToken!)).IsError, Is.False, "the owner's token is untouched");
    }

    [TestCase("not-a-refresh-token", TestName = "Refresh_WithAMalformedToken_IsInvalidGrant")]
    [TestCase("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB", TestName = "Refresh_WithAnUnknownToken_IsInvalidGrant")]
    public async Task Refresh_WithATokenNobodyIssued_IsInvalidGrant(string token)
    {
        var client = await Clients.AddConfidentialAsync(grantTypes: TestClients.WithRefreshTokens);

        var response = await RefreshAsync(client, token);

        await OAuthAssert.ErrorAsync(response.HttpResponse!, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidGrant);
    }

    [Test]
    public async Task Refresh_ByAClientNotAllowedTheRefreshGrant_IsUnauthorizedClient()
    {
        var client = await Clients.AddConfidentialAsync();

        var response = await RefreshAsync(client, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB");

        await OAuthAssert.ErrorAsync(response.HttpResponse!, HttpStatusCode.BadRequest, OAuthErrorCodes.UnauthorizedClient);
    }

    [Test]
    public async Task RetryWithThePreviousTokenWithinTheGraceWindow_ReturnsTheSameSuccessor()
    {
        var (client, first) = await StartGrantAsync();
        var rotated = await RefreshAsync(client, first.RefreshToken!);
        Assert.That(rotated.IsError, Is.False, rotated.Raw);
        Clock.Advance(TimeSpan.FromSeconds(GraceSeconds - 1));

        var retried = await RefreshAsync(client, first.RefreshToken!);

        Assert.That(retried.IsError, Is.False, retried.Raw);
        Assert.Multiple(() =>
        {
            Assert.That(retried.RefreshToken, Is.EqualTo(rotated.RefreshToken), "the same successor, not a fresh pair");
            Assert.That(retried.AccessToken, Is.Not.Null);
        });
        Assert.That((await RefreshAsync(client, rotated.RefreshToken!)).IsError, Is.False, "the successor still works");
    }

    [Test]
    public async Task ReuseAfterTheGraceWindow_RevokesTheGrant_AndEveryRefreshTokenOfItFails()
    {
        var (client, first) = await StartGrantAsync();
        var second = await RefreshAsync(client, first.RefreshToken!);
        Assert.That(second.IsError, Is.False, second.Raw);
        Clock.Advance(TimeSpan.FromSeconds(GraceSeconds));

        var reuse = await RefreshAsync(client, first.RefreshToken!);

        await OAuthAssert.ErrorAsync(reuse.HttpResponse!, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidGrant);
        var successor = await RefreshAsync(client, second.RefreshToken!);
        await OAuthAssert.ErrorAsync(successor.HttpResponse!, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidGrant);
        var root = await RootAsync(first.RefreshToken!.Split('.')[0]);
        Assert.That(root.RevokedAt, Is.Not.Null);
    }

    [Test]
    public async Task ReuseOfTheOldTokenAfterTheSuccessorWasUsed_RevokesTheGrantEvenWithinTheGraceWindow()
    {
        var (client, first) = await StartGrantAsync();
        var second = await RefreshAsync(client, first.RefreshToken!);
        var third = await RefreshAsync(client, second.RefreshToken!);
        Assert.That(third.IsError, Is.False, third.Raw);

        var reuse = await RefreshAsync(client, first.RefreshToken!);

        await OAuthAssert.ErrorAsync(reuse.HttpResponse!, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidGrant);
        await OAuthAssert.ErrorAsync((await RefreshAsync(client, third.RefreshToken!)).HttpResponse!, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidGrant);
    }

    [Test]
    public async Task ReuseAfterTheGraceWindowAskingForAWiderScope_StillRevokesTheGrant()
    {
        var (client, first) = await StartGrantAsync();
        var second = await RefreshAsync(client, first.RefreshToken!);
        Clock.Advance(TimeSpan.FromSeconds(GraceSeconds));

        var reuse = await RefreshAsync(client, first.RefreshToken!, scope: "admin");

        await OAuthAssert.ErrorAsync(reuse.HttpResponse!, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidGrant);
        await OAuthAssert.ErrorAsync((await RefreshAsync(client, second.RefreshToken!)).HttpResponse!, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidGrant);
    }

    [Test]
    public async Task ReuseOfARetiredTokenPastItsIdleExpiry_StillRevokesTheGrant()
    {
        var client = await Clients.AddConfidentialAsync(grantTypes: TestClients.WithRefreshTokens, refreshIdleSeconds: 100);
        var first = await CodeRedemption.RedeemAsync(Http, Host.TokenEndpoint, client, await Clients.IssueCodeAsync(client.ClientId));
        Clock.Advance(TimeSpan.FromSeconds(60));
        var second = await RefreshAsync(client, first.RefreshToken!);
        Clock.Advance(TimeSpan.FromSeconds(60));
        var third = await RefreshAsync(client, second.RefreshToken!);
        Assert.That(third.IsError, Is.False, third.Raw);

        var reuse = await RefreshAsync(client, first.RefreshToken!);

        await OAuthAssert.ErrorAsync(reuse.HttpResponse!, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidGrant);
        await OAuthAssert.ErrorAsync((await RefreshAsync(client, third.RefreshToken!)).HttpResponse!, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidGrant);
    }

    [Test]
    public async Task CodeReplay_RevokesTheRefreshTokenOfTheFirstRedemption()
    {
        var client = await Clients.AddConfidentialAsync(grantTypes: TestClients.WithRefreshTokens);
        var code = await Clients.IssueCodeAsync(client.ClientId);
        var first = await CodeRedemption.RedeemAsync(Http, Host.TokenEndpoint, client, code);
        Assert.That(first.RefreshToken, Is.Not.Null, first.Raw);
        Clock.Advance(TimeSpan.FromSeconds(new TokenFunction.Settings.TokenOptions().CodeRetryGraceSeconds));

        var replay = await CodeRedemption.RedeemAsync(Http, Host.TokenEndpoint, client, code);
        await OAuthAssert.ErrorAsync(replay.HttpResponse!, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidGrant);

        var refresh = await RefreshAsync(client, first.RefreshToken!);
        await OAuthAssert.ErrorAsync(refresh.HttpResponse!, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidGrant);
    }

    /// <summary>
    /// Decision: concurrent users of one token within the grace window all get the SAME successor (one winner rotates,
    /// the others find the token retired a moment ago and answer with the sealed successor). So one token family survives.
    /// </summary>
    [Test]
    public async Task TwentyConcurrentRefreshesWithTheSameToken_AtMostOneTokenFamilySurvives_AndNoTokenIsIssuedAfterRevocation()
    {
        const int Refreshers = 20;
        var (client, first) = await StartGrantAsync();

        var responses = await ConcurrentlyAsync(Refreshers, () => RefreshAsync(client, first.RefreshToken!));

        var summary = string.Join(", ", responses.Select(r => $"{(int)r.HttpStatusCode} {r.Error}"));
        var succeeded = responses.Where(r => r.HttpStatusCode == HttpStatusCode.OK).ToList();
        await TestContext.Out.WriteLineAsync("concurrent refreshes: " + summary);
        Assert.Multiple(() =>
        {
            Assert.That(succeeded, Is.Not.Empty, summary);
            Assert.That(succeeded.Select(r => r.RefreshToken).Distinct().Count(), Is.EqualTo(1), "every success carries the same successor: " + summary);
            Assert.That(responses.Where(r => r.HttpStatusCode != HttpStatusCode.OK).Select(r => r.Error),
                Is.All.EqualTo(OAuthErrorCodes.TemporarilyUnavailable), "no concurrent user is refused as a reuser: " + summary);
        });
        var successor = succeeded[0].RefreshToken!;
        var next = await RefreshAsync(client, successor);
        Assert.That(next.IsError, Is.False, "the one surviving family goes on: " + next.Raw);

        Clock.Advance(TimeSpan.FromSeconds(GraceSeconds));
        var reuse = await RefreshAsync(client, first.RefreshToken!);
        await OAuthAssert.ErrorAsync(reuse.HttpResponse!, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidGrant);

        var afterRevocation = await ConcurrentlyAsync(Refreshers, () => RefreshAsync(client, next.RefreshToken!));
        Assert.That(afterRevocation.Select(r => (r.HttpStatusCode, r.Error, r.RefreshToken)),
            Is.All.EqualTo((HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidGrant, (string?)null)));
        Assert.That(await LiveRefreshRowsAsync(first.RefreshToken!.Split('.')[0]), Is.LessThanOrEqualTo(1));
    }

    /// <summary>
    /// Refreshes racing a revocation: a rotation is conditional on the root row's ETag, so none commits after
    /// RevokedAt is written. The root's last write is the revocation, so no refresh row is newer than it.
    /// </summary>
    [Test]
    public async Task ConcurrentRefreshesRacingARevocation_NoRefreshTokenIsWrittenAfterTheRevocation()
    {
        var (client, first) = await StartGrantAsync();
        var maintenance = Host.Services.GetRequiredService<GrantMaintenance>();
        var current = first.RefreshToken!;
        var refreshes = Enumerable.Range(0, 20).Select(async i =>
        {
            await Task.Delay(i);
            return await RefreshAsync(client, current);
        }).ToList();
        var revocation = Task.Run(async () =>
        {
            await Task.Delay(5);
            return await maintenance.RevokeAllAsync(GrantIndexKeys.ByClient(client.ClientId), CancellationToken.None);
        });
        var responses = await Task.WhenAll(refreshes);
        Assert.That((await revocation).Revoked, Is.EqualTo(1));

        var grantId = first.RefreshToken!.Split('.')[0];
        var root = await RootAsync(grantId);
        var rows = await GrantRowsAsync(grantId);
        await TestContext.Out.WriteLineAsync("racing refreshes: " + string.Join(", ", responses.Select(r => $"{(int)r.HttpStatusCode} {r.Error}")));
        Assert.Multiple(() =>
        {
            Assert.That(root.RevokedAt, Is.Not.Null);
            Assert.That(rows.Where(r => r.RowKey != AuthorizationCodeEntity.Row).Select(r => r.Timestamp), Is.All.LessThanOrEqualTo(root.Timestamp!.Value), "a refresh row newer than the revocation");
        });
        foreach (var token in responses.Where(r => r.RefreshToken is not null).Select(r => r.RefreshToken!).Distinct())
        {
            Assert.That((await RefreshAsync(client, token)).Error, Is.EqualTo(OAuthErrorCodes.InvalidGrant));
        }
    }

    [Test]
    public async Task ConcurrentRefreshes_LeaveExactlyOneUnretiredRefreshTokenInTheGrant()
    {
        var (client, first) = await StartGrantAsync();

        await ConcurrentlyAsync(20, () => RefreshAsync(client, first.RefreshToken!));

        Assert.That(await LiveRefreshRowsAsync(first.RefreshToken!.Split('.')[0]), Is.EqualTo(1));
    }

    [Test]
    public async Task IdleLifetimeSetting_ExpiresAnUnusedToken_AndEachRotationSlidesIt()
    {
        var (client, first) = await StartGrantAsync();
        Clock.Advance(TimeSpan.FromSeconds(IdleSeconds - 1));
        var second = await RefreshAsync(client, first.RefreshToken!);
        Assert.That(second.IsError, Is.False, "just before the idle expiry: " + second.Raw);
        Clock.Advance(TimeSpan.FromSeconds(IdleSeconds - 1));
        var third = await RefreshAsync(client, second.RefreshToken!);
        Assert.That(third.IsError, Is.False, "the rotation slid the idle expiry: " + third.Raw);

        Clock.Advance(TimeSpan.FromSeconds(IdleSeconds));
        var expired = await RefreshAsync(client, third.RefreshToken!);

        await OAuthAssert.ErrorAsync(expired.HttpResponse!, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidGrant);
    }

    [Test]
    public async Task AbsoluteLifetimeSetting_EndsTheGrantHoweverOftenItIsRefreshed()
    {
        var (client, first) = await StartGrantAsync();
        var token = first.RefreshToken!;
        for (var elapsed = 0; elapsed + IdleSeconds - 1 < AbsoluteSeconds; elapsed += IdleSeconds - 1)
        {
            Clock.Advance(TimeSpan.FromSeconds(IdleSeconds - 1));
            var refreshed = await RefreshAsync(client, token);
            Assert.That(refreshed.IsError, Is.False, $"at {elapsed + IdleSeconds - 1} s: {refreshed.Raw}");
            token = refreshed.RefreshToken!;
        }

        Clock.Advance(TimeSpan.FromSeconds(IdleSeconds - 1));
        var expired = await RefreshAsync(client, token);

        await OAuthAssert.ErrorAsync(expired.HttpResponse!, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidGrant);
    }

    [Test]
    public async Task PerClientLifetimes_OverrideTheSettings()
    {
        var client = await Clients.AddConfidentialAsync(grantTypes: TestClients.WithRefreshTokens, refreshIdleSeconds: 100, refreshAbsoluteSeconds: 250);
        var first = await CodeRedemption.RedeemAsync(Http, Host.TokenEndpoint, client, await Clients.IssueCodeAsync(client.ClientId));
        Clock.Advance(TimeSpan.FromSeconds(90));
        var second = await RefreshAsync(client, first.RefreshToken!);
        Assert.That(second.IsError, Is.False, second.Raw);
        Clock.Advance(TimeSpan.FromSeconds(90));
        var third = await RefreshAsync(client, second.RefreshToken!);
        Assert.That(third.IsError, Is.False, "idle 100 s slides: " + third.Raw);
        Clock.Advance(TimeSpan.FromSeconds(75));

        var pastAbsolute = await RefreshAsync(client, third.RefreshToken!);

        await OAuthAssert.ErrorAsync(pastAbsolute.HttpResponse!, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidGrant);
    }

    [Test]
    public async Task PerClientIdleLifetime_ExpiresAnUnusedToken()
    {
        var client = await Clients.AddConfidentialAsync(grantTypes: TestClients.WithRefreshTokens, refreshIdleSeconds: 100);
        var first = await CodeRedemption.RedeemAsync(Http, Host.TokenEndpoint, client, await Clients.IssueCodeAsync(client.ClientId));
        Clock.Advance(TimeSpan.FromSeconds(100));

        var expired = await RefreshAsync(client, first.RefreshToken!);

        await OAuthAssert.ErrorAsync(expired.HttpResponse!, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidGrant);
    }

    [Test]
    public async Task GrantWhoseTokensHaveRowsOfTheirOwn_AsRedeemedBefore_StillRotatesRetriesInGraceAndRevokesOnReuse()
    {
        var (client, first) = await StartGrantAsync();
        var grantId = GrantTable.GrantOf(first.RefreshToken!);
        await MoveTheFirstTokenToARowOfItsOwnAsync(grantId);

        var second = await RefreshAsync(client, first.RefreshToken!);
        Assert.That(second.IsError, Is.False, second.Raw);
        var retried = await RefreshAsync(client, first.RefreshToken!);
        Assert.That(retried.RefreshToken, Is.EqualTo(second.RefreshToken), "the grace window's retry gets the same successor");
        var third = await RefreshAsync(client, second.RefreshToken!);
        Assert.That(third.IsError, Is.False, third.Raw);

        var reuse = await RefreshAsync(client, first.RefreshToken!);

        await OAuthAssert.ErrorAsync(reuse.HttpResponse!, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidGrant);
        var rows = await GrantRowsAsync(grantId);
        Assert.Multiple(async () =>
        {
            Assert.That((await RootAsync(grantId)).RevokedAt, Is.Not.Null, "reuse of the first token revoked the grant");
            Assert.That(rows.Single(r => r.RowKey == RefreshTokens.RowKeyOf(first.RefreshToken!)).ContainsKey(nameof(RefreshTokenEntity.RetiredAt)), Is.True, "retired in its own row");
            Assert.That(rows.Single(r => r.RowKey == AuthorizationCodeEntity.Row).ContainsKey(nameof(AuthorizationCodeEntity.RefreshKey)), Is.False, "not migrated");
        });
    }

    /// <summary>Rewrites a grant into the layout of grants redeemed before the root held the first refresh token.</summary>
    private static async Task MoveTheFirstTokenToARowOfItsOwnAsync(string grantId)
    {
        var root = (await Grants().GetEntityAsync<TableEntity>(grantId, AuthorizationCodeEntity.Row)).Value;
        var token = new TableEntity(grantId, root.GetString(nameof(AuthorizationCodeEntity.RefreshKey)))
        {
            [nameof(RefreshTokenEntity.IssuedAt)] = root.GetDateTimeOffset(nameof(AuthorizationCodeEntity.RefreshIssuedAt)),
            [nameof(RefreshTokenEntity.ExpiresAt)] = root.GetDateTimeOffset(nameof(AuthorizationCodeEntity.RefreshExpiresAt)),
        };
        root.Remove(nameof(AuthorizationCodeEntity.RefreshKey));
        root.Remove(nameof(AuthorizationCodeEntity.RefreshIssuedAt));

        await Grants().SubmitTransactionAsync(
        [
            new(TableTransactionActionType.UpdateReplace, root, root.ETag),
            new(TableTransactionActionType.Add, token),
        ]);
    }

    private async Task<(RegisteredClient Client, TokenResponse First)> StartGrantAsync()
    {
        var client = await Clients.AddConfidentialAsync(grantTypes: TestClients.WithRefreshTokens);
        var first = await CodeRedemption.RedeemAsync(Http, Host.TokenEndpoint, client, await Clients.IssueCodeAsync(client.ClientId));
        Assert.That(first.RefreshToken, Is.Not.Null, first.Raw);
        return (client, first);
    }

    private Task<TokenResponse> RefreshAsync(RegisteredClient client, string refreshToken, string? scope = null) =>
        CodeRedemption.RefreshAsync(Http, Host.TokenEndpoint, client, refreshToken, scope);

    private static async Task<TokenResponse[]> ConcurrentlyAsync(int count, Func<Task<TokenResponse>> call)
    {
        using var start = new SemaphoreSlim(0);
        var calls = Enumerable.Range(0, count).Select(async _ =>
        {
            await start.WaitAsync();
            return await call();
        }).ToList();
        start.Release(count);
        return await Task.WhenAll(calls);
    }

    private static TableClient Grants() =>
        new TableServiceClient(TestEnvironment.Azurite.ConnectionString).GetTableClient(TableNames.Grants);

    private static async Task<List<TableEntity>> GrantRowsAsync(string grantId) =>
        await Grants().QueryAsync<TableEntity>(e => e.PartitionKey == grantId).ToListAsync();

    private static async Task<int> LiveRefreshRowsAsync(string grantId) => GrantTable.LiveRefreshTokens(await GrantRowsAsync(grantId));

    private static async Task<AuthorizationCodeEntity> RootAsync(string grantId) =>
        (await Grants().GetEntityAsync<AuthorizationCodeEntity>(grantId, AuthorizationCodeEntity.Row)).Value;
}
