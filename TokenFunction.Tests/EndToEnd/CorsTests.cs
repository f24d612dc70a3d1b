using System.Net;
using TokenFunction.Functions;
using TokenFunction.Hosting;
using TokenFunction.Tests.Infrastructure;
using TokenFunction.Settings;

namespace TokenFunction.Tests.EndToEnd;

/// <summary>
/// A browser app on an allowed origin may call the endpoints cross-origin (preflight and the request itself); any
/// other origin gets no CORS headers, and credentials are never allowed.
/// </summary>
public sealed class CorsTests : EndToEndTest
{
    private const string AllowedOrigin = "https://spa.example.test";
    private const string OtherAllowedOrigin = "http://localhost:3000";

    protected override IDictionary<string, string?>? Settings => new Dictionary<string, string?>
    {
        [SettingNames.CorsAllowedOrigins] = $"{AllowedOrigin}, {OtherAllowedOrigin}",
    };

    private static HttpRequestMessage Preflight(Uri endpoint, string origin, string method = "POST", string headers = "content-type")
    {
        var request = new HttpRequestMessage(HttpMethod.Options, endpoint);
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", method);
        request.Headers.Add("Access-Control-Request-Headers", headers);
        return request;
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;

    [TestCase(AllowedOrigin)]
    [TestCase(OtherAllowedOrigin)]
    public async Task Preflight_FromAnAllowedOrigin_AllowsAPostToTheTokenEndpointWithoutCredentials(string origin)
    {
        using var response = await Http.SendAsync(Preflight(Host.TokenEndpoint, origin, headers: "content-type, authorization"));

        using (Assert.EnterMultipleScope())
        {
            Assert.That((int)response.StatusCode, Is.InRange(200, 299));
            Assert.That(Header(response, "Access-Control-Allow-Origin"), Is.EqualTo(origin));
            Assert.That(Header(response, "Access-Control-Allow-Methods"), Does.Contain("POST"));
            Assert.That(Header(response, "Access-Control-Allow-Headers")?.ToLowerInvariant(), Does.Contain("content-type").And.Contain("authorization"));
            Assert.That(Header(response, "Access-Control-Allow-Credentials"), Is.Null);
            Assert.That(Header(response, "Access-Control-Max-Age"), Is.EqualTo(((int)LocalHost.PreflightMaxAge.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }
    }

    [Test]
    public async Task ABrowserClient_MaySendADpopProof_AndReadTheDpopNonce()
    {
        using var preflight = await Http.SendAsync(Preflight(Host.TokenEndpoint, AllowedOrigin, headers: "content-type, dpop"));
        var client = await Clients.AddPublicAsync();
        var code = await Clients.IssueCodeAsync(client.ClientId);
        using var request = new HttpRequestMessage(HttpMethod.Post, Host.TokenEndpoint)
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "authorization_code",
                ["client_id"] = client.ClientId,
                ["code"] = code.Code,
                ["redirect_uri"] = TestClients.RedirectUri,
                ["code_verifier"] = code.Verifier!,
            }),
        };
        request.Headers.Add("Origin", AllowedOrigin);
        using var response = await Http.SendAsync(request);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Header(preflight, "Access-Control-Allow-Headers")?.ToLowerInvariant(), Does.Contain("dpop"));
            Assert.That(Header(response, "Access-Control-Expose-Headers"), Does.Contain("DPoP-Nonce"));
        }
    }

    [Test]
    public async Task Preflight_FromAnotherOrigin_GetsNoCorsHeaders()
    {
        using var response = await Http.SendAsync(Preflight(Host.TokenEndpoint, "https://evil.example.test"));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Header(response, "Access-Control-Allow-Origin"), Is.Null);
            Assert.That(Header(response, "Access-Control-Allow-Methods"), Is.Null);
        }
    }

    [Test]
    public async Task TokenRequest_FromAnAllowedOrigin_IsAnsweredWithTheOriginAndNoCredentials()
    {
        var client = await Clients.AddPublicAsync();
        var code = await Clients.IssueCodeAsync(client.ClientId);
        using var request = new HttpRequestMessage(HttpMethod.Post, Host.TokenEndpoint)
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "authorization_code",
                ["client_id"] = client.ClientId,
                ["code"] = code.Code,
                ["redirect_uri"] = TestClients.RedirectUri,
                ["code_verifier"] = code.Verifier!,
            }),
        };
        request.Headers.Add("Origin", AllowedOrigin);

        using var response = await Http.SendAsync(request);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
            Assert.That(Header(response, "Access-Control-Allow-Origin"), Is.EqualTo(AllowedOrigin));
            Assert.That(Header(response, "Access-Control-Allow-Credentials"), Is.Null);
        }
    }

    [TestCase(Routes.Jwks)]
    [TestCase(Routes.Metadata)]
    public async Task Documents_FromAnAllowedOrigin_CarryTheOrigin(string route)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(Host.BaseAddress, "/" + route));
        request.Headers.Add("Origin", AllowedOrigin);

        using var response = await Http.SendAsync(request);

        Assert.That(Header(response, "Access-Control-Allow-Origin"), Is.EqualTo(AllowedOrigin));
    }

    [Test]
    public async Task WithoutAllowedOrigins_NoOriginGetsCorsHeaders()
    {
        await using var host = await ServiceHost.StartAsync();

        using var response = await Http.SendAsync(Preflight(host.TokenEndpoint, AllowedOrigin));

        Assert.That(Header(response, "Access-Control-Allow-Origin"), Is.Null);
    }
}
