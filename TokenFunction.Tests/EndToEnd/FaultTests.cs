using System.Net;
using TokenFunction.Protocol;
using TokenFunction.Tests.Infrastructure;
using TokenFunction.Settings;

namespace TokenFunction.Tests.EndToEnd;

/// <summary>
/// A fault in storage or signing gives a clean 5xx OAuth error, never a stack trace or a token, and never
/// burns a code that could still be redeemed.
/// </summary>
public sealed class FaultTests : EndToEndTest
{
    [Test]
    public async Task UnreachableStorage_GivesTemporarilyUnavailableWithRetryAfter()
    {
        var closedPort = FreePort.Next();
        await using var host = await ServiceHost.StartAsync(new Dictionary<string, string?>
        {
            [SettingNames.TablesConnectionString] = TestEnvironment.Azurite.ConnectionString.Replace(
                $":{TestEnvironment.Azurite.Port}/", $":{closedPort}/", StringComparison.Ordinal),
        });
        using var http = new HttpClient();

        var response = await CodeRedemption.RedeemAsync(http, host.TokenEndpoint,
            new RegisteredClient("any-client", null), new IssuedCode("any-code", TestClients.NewVerifier()));

        await OAuthAssert.ErrorAsync(response.HttpResponse!, HttpStatusCode.ServiceUnavailable, OAuthErrorCodes.TemporarilyUnavailable);
        Assert.That(response.HttpResponse!.Headers.RetryAfter?.Delta, Is.GreaterThan(TimeSpan.Zero));
    }

    [Test]
    public async Task SigningFault_GivesServerErrorAndLeavesTheCodeRedeemable()
    {
        var brokenKey = Path.Combine(Host.KeyDirectory, "not-a-key.pem");
        await File.WriteAllTextAsync(brokenKey, "this is not a PEM key");
        await using var brokenHost = await ServiceHost.StartAsync(new Dictionary<string, string?>
        {
            [SettingNames.SigningLocalKeyPath] = brokenKey,
            [SettingNames.Of(SigningOptions.SectionName, nameof(SigningOptions.GenerateLocalKeyIfMissing))] = "false",
        });
        var client = await Clients.AddPublicAsync();
        var code = await Clients.IssueCodeAsync(client.ClientId);
        using var http = new HttpClient();

        var failed = await CodeRedemption.RedeemAsync(http, brokenHost.TokenEndpoint, client, code);

        var body = await OAuthAssert.ErrorAsync(failed.HttpResponse!, HttpStatusCode.InternalServerError, OAuthErrorCodes.ServerError);
        Assert.That(body.EnumerateObject().Select(p => p.Name), Is.EquivalentTo(new[] { OAuthParameterNames.Error }), "server_error says nothing more");

        var retried = await RedeemAsync(client, code);
        Assert.That(retried.IsError, Is.False, "the code survives a signing fault: " + retried.Raw);
    }

    [Test]
    public async Task SigningFaultDuringRefresh_GivesServerErrorAndLeavesTheRefreshTokenUsable()
    {
        var brokenKey = Path.Combine(Host.KeyDirectory, "not-a-key-either.pem");
        await File.WriteAllTextAsync(brokenKey, "this is not a PEM key");
        await using var brokenHost = await ServiceHost.StartAsync(new Dictionary<string, string?>
        {
            [SettingNames.SigningLocalKeyPath] = brokenKey,
            [SettingNames.Of(SigningOptions.SectionName, nameof(SigningOptions.GenerateLocalKeyIfMissing))] = "false",
        });
        var client = await Clients.AddPublicAsync(grantTypes: TestClients.WithRefreshTokens);
        var redeemed = await RedeemAsync(client, await Clients.IssueCodeAsync(client.ClientId));
        Assert.That(redeemed.RefreshToken, Is.Not.Null, redeemed.Raw);
        using var http = new HttpClient();

        var failed = await CodeRedemption.RefreshAsync(http, brokenHost.TokenEndpoint, client, redeemed.RefreshToken!);

        await OAuthAssert.ErrorAsync(failed.HttpResponse!, HttpStatusCode.InternalServerError, OAuthErrorCodes.ServerError);
        var retried = await CodeRedemption.RefreshAsync(Http, Host.TokenEndpoint, client, redeemed.RefreshToken!);
        Assert.That(retried.IsError, Is.False, "the refresh token was not rotated by the failed request: " + retried.Raw);
    }
}
