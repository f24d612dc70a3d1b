using System.Net;
using TokenFunction.Protocol;

namespace TokenFunction.Tests.EndToEnd;

/// <summary>Codes expire at the instant stored with them; the tests move the service's clock instead of sleeping.</summary>
public sealed class CodeExpiryTests : EndToEndTest
{
    protected override bool UsesFakeClock => true;

    [Test]
    public async Task CodeJustBeforeExpiry_IsRedeemed()
    {
        var client = await Clients.AddPublicAsync();
        var code = await Clients.IssueCodeAsync(client.ClientId, lifetime: TimeSpan.FromSeconds(60));
        Clock.Advance(TimeSpan.FromSeconds(59));

        var response = await RedeemAsync(client, code);

        Assert.That(response.IsError, Is.False, response.Raw);
    }

    [Test]
    public async Task CodePastExpiry_IsInvalidGrant()
    {
        var client = await Clients.AddPublicAsync();
        var code = await Clients.IssueCodeAsync(client.ClientId, lifetime: TimeSpan.FromSeconds(60));
        Clock.Advance(TimeSpan.FromSeconds(60));

        var response = await RedeemAsync(client, code);

        await OAuthAssert.ErrorAsync(response.HttpResponse!, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidGrant);
    }
}
