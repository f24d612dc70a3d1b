using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;
using TokenFunction.Clients;
using TokenFunction.Protocol;
using TokenFunction.Tests.Infrastructure;
using TokenFunction.Settings;

namespace TokenFunction.Tests.EndToEnd;

/// <summary>
/// Failed client authentication tells an attacker nothing and costs them: every failure answers alike (the reason goes
/// to the log, with the client id and the source address), and an address that fails too often is answered 429 until
/// its window ends, without locking the client out for anyone else.
/// </summary>
public sealed class ClientAuthenticationAbuseTests : EndToEndTest
{
    private const int Limit = 5;
    private const int WindowSeconds = 3;

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        [SettingNames.ThrottlingMaxFailedAuthentications] = Limit.ToString(System.Globalization.CultureInfo.InvariantCulture),
        [SettingNames.ThrottlingWindowSeconds] = WindowSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    [Test]
    public async Task EveryKindOfFailedAuthentication_GetsTheSameStatusBodyAndHeaders_AndTheLogGetsTheReason()
    {
        var confidential = await Clients.AddConfidentialAsync();
        var publicClient = await Clients.AddPublicAsync();
        using var key = ClientKeyPair.Rsa();
        var keyClient = await Clients.AddPrivateKeyJwtAsync(jwks: ClientKeyPair.Jwks(key));
        var attempts = new (string Kind, string ClientId, string Secret)[]
        {
            ("Unknown client", TestClients.NewId("nobody"), ClientSecretHasher.GenerateSecret()),
            ("Wrong client secret", confidential.ClientId, ClientSecretHasher.GenerateSecret()),
            ("public and must not send a client secret", publicClient.ClientId, ClientSecretHasher.GenerateSecret()),
            ("private_key_jwt", keyClient.ClientId, ClientSecretHasher.GenerateSecret()),
        };

        var answers = new List<string>();
        var sources = 0;
        foreach (var (kind, clientId, secret) in attempts)
        {
            foreach (var basic in new[] { false, true })
            {
                // An address per attempt: the throttle is not what this test is about.
                var source = $"203.0.113.{++sources}";
                using var response = await SendAsync(clientId, secret, basic, source);
                answers.Add($"{(basic ? "basic" : "post")}: {await DescribeAsync(response)}");
                var entry = Logs.Entries.Last(e => Equals(e["Status"], 401));
                Assert.Multiple(() =>
                {
                    Assert.That(entry["Detail"]?.ToString(), Does.Contain(kind).IgnoreCase, "the log says why");
                    Assert.That(entry["ClientId"], Is.EqualTo(clientId), "the log names the client");
                    Assert.That(entry["Source"]?.ToString(), Is.EqualTo(source), "the log names the source address");
                });
            }
        }

        Assert.That(answers.Where(a => a.StartsWith("post", StringComparison.Ordinal)).Distinct().Count(), Is.EqualTo(1), string.Join('\n', answers));
        Assert.That(answers.Where(a => a.StartsWith("basic", StringComparison.Ordinal)).Distinct().Count(), Is.EqualTo(1), string.Join('\n', answers));
    }

    [Test]
    public async Task BurstOfFailedAuthentications_From_OneAddress_Gets429WithRetryAfterUntilTheWindowEnds_AndOtherAddressesAreUnaffected()
    {
        var client = await Clients.AddConfidentialAsync();
        const string attacker = "203.0.113.66";
        const string bystander = "203.0.113.77";
        for (var i = 0; i < Limit; i++)
        {
            using var failed = await SendAsync(client.ClientId, ClientSecretHasher.GenerateSecret(), basic: false, attacker);
            Assert.That(failed.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        }

        using var throttled = await SendAsync(client.ClientId, client.Secret!, basic: false, attacker);
        await OAuthAssert.ErrorAsync(throttled, HttpStatusCode.TooManyRequests, OAuthErrorCodes.TemporarilyUnavailable);
        Assert.That(throttled.Headers.RetryAfter?.Delta, Is.GreaterThan(TimeSpan.Zero).And.LessThanOrEqualTo(TimeSpan.FromSeconds(WindowSeconds)));

        using var fromElsewhere = await SendAsync(client.ClientId, client.Secret!, basic: false, bystander);
        Assert.That(fromElsewhere.StatusCode, Is.Not.EqualTo(HttpStatusCode.TooManyRequests), "another address is not locked out");
        Assert.That(fromElsewhere.StatusCode, Is.Not.EqualTo(HttpStatusCode.Unauthorized), "and the client still authenticates from it");
        Assert.That(Logs.Entries.Any(e => e.Level == LogLevel.Warning && e.Message.Contains(attacker, StringComparison.Ordinal)), Is.True, "the throttle engaging is a warning");

        // Waiting out the advertised Retry-After is the behaviour under test, not a timing assertion.
        await Task.Delay(throttled.Headers.RetryAfter!.Delta!.Value + TimeSpan.FromMilliseconds(200));
        using var afterTheWindow = await SendAsync(client.ClientId, client.Secret!, basic: false, attacker);
        Assert.That(afterTheWindow.StatusCode, Is.Not.EqualTo(HttpStatusCode.TooManyRequests), "the window has passed");
    }

    [Test]
    public async Task FailuresOfOtherKinds_AreNotCounted()
    {
        var client = await Clients.AddConfidentialAsync();
        const string source = "203.0.113.88";
        for (var i = 0; i < Limit + 2; i++)
        {
            using var refused = await SendAsync(client.ClientId, client.Secret!, basic: false, source, code: "no-such-code");
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), "an authenticated client's invalid_grant is not an authentication failure");
        }

        using var stillServed = await SendAsync(client.ClientId, client.Secret!, basic: false, source, code: "no-such-code");
        Assert.That(stillServed.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    private async Task<HttpResponseMessage> SendAsync(string clientId, string secret, bool basic, string source, string code = "any-code")
    {
        var form = new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = TestClients.RedirectUri,
            ["code_verifier"] = TestClients.NewVerifier(),
        };
        if (!basic)
        {
            form["client_id"] = clientId;
            form["client_secret"] = secret;
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, Host.TokenEndpoint) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Add("X-Forwarded-For", source);
        if (basic)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", BasicOf(clientId, secret));
        }

        return await Http.SendAsync(request);
    }

    private static async Task<string> DescribeAsync(HttpResponseMessage response)
    {
        var headers = response.Headers.Concat(response.Content.Headers)
            .Where(h => h.Key is not ("Date" or "Content-Length"))
            .OrderBy(h => h.Key, StringComparer.Ordinal)
            .Select(h => $"{h.Key}: {string.Join(",", h.Value)}");
        return $"{(int)response.StatusCode} {string.Join("; ", headers)} {await response.Content.ReadAsStringAsync()}";
    }
}
