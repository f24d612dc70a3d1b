using System.Net;
using Duende.IdentityModel.Client;
using Microsoft.Extensions.DependencyInjection;
using TokenFunction.Grants;
using TokenFunction.Protocol;
using TokenFunction.Storage;
using TokenFunction.Tests.Infrastructure;

namespace TokenFunction.Tests.EndToEnd;

/// <summary>
/// Two instances of the service on one storage account, as a scaled-out function app runs: each rotates a refresh
/// token from what it last wrote of the grant without reading it (docs/storage.md), and what the other instance did in
/// between (a revocation, a rotation) must still decide every answer. Both run on the same fake clock.
/// </summary>
public sealed class SharedStorageInstancesTests : EndToEndTest
{
    private const int GraceSeconds = 30;
    private ServiceHost other = null!;

    protected override bool UsesFakeClock => true;

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        [TokenFunction.Settings.SettingNames.TokenRefreshReuseGraceSeconds] = GraceSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    [OneTimeSetUp]
    public async Task StartTheOtherInstanceAsync() =>
        other = await ServiceHost.StartAsync(Settings, services => services.AddSingleton<TimeProvider>(Clock));

    [OneTimeTearDown]
    public async Task StopTheOtherInstanceAsync() => await other.DisposeAsync();

    [Test]
    public async Task Refresh_AtTheInstanceThatWroteTheGrantLast_AfterTheOtherRevokedIt_IsInvalidGrant_AndRotatesNothing()
    {
        var (client, first) = await StartGrantAsync();
        var revocation = await Http.RevokeTokenAsync(new TokenRevocationRequest
        {
            Address = other.RevocationEndpoint.ToString(),
            ClientId = client.ClientId,
            ClientSecret = client.Secret,
            Token = first.RefreshToken!,
        });
        Assert.That(revocation.IsError, Is.False, revocation.Error);

        var refresh = await RefreshAsync(Host, client, first.RefreshToken!);

        await OAuthAssert.ErrorAsync(refresh.HttpResponse!, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidGrant);
        var root = await GrantTable.RootAsync(GrantTable.GrantOf(first.RefreshToken!));
        Assert.Multiple(() =>
        {
            Assert.That(refresh.AccessToken, Is.Null);
            Assert.That(root.ContainsKey(nameof(AuthorizationCodeEntity.RevokedAt)), Is.True);
            Assert.That(root.GetString(nameof(AuthorizationCodeEntity.RefreshKey)), Is.EqualTo(RefreshTokens.RowKeyOf(first.RefreshToken!)), "the revoked grant's token was not rotated");
        });
    }

    [Test]
    public async Task TokenRotatedAtTheOtherInstance_PresentedAgainWithinTheGraceWindow_GetsTheSameSuccessor_AndTheSuccessorServesAtEither()
    {
        var (client, first) = await StartGrantAsync();
        var second = await RefreshAsync(other, client, first.RefreshToken!);
        Assert.That(second.IsError, Is.False, second.Raw);
        Clock.Advance(TimeSpan.FromSeconds(GraceSeconds - 1));

        var retried = await RefreshAsync(Host, client, first.RefreshToken!);

        Assert.That(retried.IsError, Is.False, retried.Raw);
        Assert.That(retried.RefreshToken, Is.EqualTo(second.RefreshToken), "the other instance's successor, not a second live token");
        var third = await RefreshAsync(Host, client, second.RefreshToken!);
        Assert.That(third.IsError, Is.False, third.Raw);
        var fourth = await RefreshAsync(other, client, third.RefreshToken!);
        Assert.That(fourth.IsError, Is.False, fourth.Raw);
    }

    [Test]
    public async Task TokenRotatedAtTheOtherInstance_PresentedAgainAfterTheGraceWindow_RevokesTheGrant()
    {
        var (client, first) = await StartGrantAsync();
        var second = await RefreshAsync(other, client, first.RefreshToken!);
        Assert.That(second.IsError, Is.False, second.Raw);
        Clock.Advance(TimeSpan.FromSeconds(GraceSeconds));

        var reuse = await RefreshAsync(Host, client, first.RefreshToken!);

        await OAuthAssert.ErrorAsync(reuse.HttpResponse!, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidGrant);
        await OAuthAssert.ErrorAsync((await RefreshAsync(other, client, second.RefreshToken!)).HttpResponse!, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidGrant);
        Assert.That((await GrantTable.RootAsync(GrantTable.GrantOf(first.RefreshToken!))).ContainsKey(nameof(AuthorizationCodeEntity.RevokedAt)), Is.True);
    }

    /// <summary>A grant redeemed at <see cref="EndToEndTest.Host"/>, which therefore wrote its root last.</summary>
    private async Task<(RegisteredClient Client, TokenResponse First)> StartGrantAsync()
    {
        var client = await Clients.AddConfidentialAsync(grantTypes: TestClients.WithRefreshTokens);
        var first = await RedeemAsync(client, await Clients.IssueCodeAsync(client.ClientId));
        Assert.That(first.RefreshToken, Is.Not.Null, first.Raw);
        return (client, first);
    }

    private Task<TokenResponse> RefreshAsync(ServiceHost instance, RegisteredClient client, string refreshToken) =>
        CodeRedemption.RefreshAsync(Http, instance.TokenEndpoint, client, refreshToken);
}
