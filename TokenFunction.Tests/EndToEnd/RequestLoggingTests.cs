using System.Net;
using System.Net.Sockets;
using System.Text;
using Duende.IdentityModel.Client;
using Microsoft.Extensions.Logging;
using TokenFunction.Tests.Infrastructure;

namespace TokenFunction.Tests.EndToEnd;

/// <summary>
/// Logs are for operators, not attackers: one structured entry per request, no URL, query string or credential in any
/// entry at any level, and a request the client cut short is the client's fault (Debug), never a dependency failure.
/// </summary>
public sealed class RequestLoggingTests : EndToEndTest
{
    [Test]
    public async Task SuccessfulCodeExchange_WritesOneStructuredEntryAtTheDefaultLevel()
    {
        var client = await Clients.AddConfidentialAsync(grantTypes: TestClients.WithRefreshTokens);
        var code = await Clients.IssueCodeAsync(client.ClientId);
        var before = Logs.Entries.Count;

        var response = await RedeemAsync(client, code);

        Assert.That(response.IsError, Is.False, response.Raw);
        // Besides the operational entry, the exchange writes its audit event (TokenIssued), which operators keep apart.
        var audit = Logs.Entries.Skip(before).Where(e => e.Category == "TokenFunction.Audit").ToList();
        var written = Logs.Entries.Skip(before).Where(e => e.Category != "TokenFunction.Audit").ToList();
        Assert.That(written, Has.Count.LessThanOrEqualTo(2), string.Join('\n', written.Select(e => e.FullText)));
        Assert.That(audit.Select(e => e.EventId.Name), Is.EqualTo(new[] { "TokenIssued" }));
        var entry = written.Single(e => e["Endpoint"] is not null);
        Assert.Multiple(() =>
        {
            Assert.That(entry.Level, Is.EqualTo(LogLevel.Information));
            Assert.That(entry["GrantType"], Is.EqualTo("authorization_code"));
            Assert.That(entry["ClientId"], Is.EqualTo(client.ClientId));
            Assert.That(entry["Outcome"], Is.EqualTo("issued"));
            Assert.That(entry["Status"], Is.EqualTo(200));
            Assert.That(entry["ElapsedMs"], Is.TypeOf<double>().And.GreaterThan(0));
        });
    }

    [Test]
    public async Task NoCredentialUrlOrTokenReachesTheLog_EvenAtTraceLevel()
    {
        var logs = new LogCollector();
        await using var host = await ServiceHost.StartAsync(new Dictionary<string, string?> { ["Logging__LogLevel__Default"] = "Trace" }, logs: logs);
        var clients = new TestClients(host.Services);
        var client = await clients.AddConfidentialAsync(grantTypes: TestClients.WithRefreshTokens);
        var code = await clients.IssueCodeAsync(client.ClientId);
        var secrets = new List<string> { client.Secret!, code.Code, code.Verifier! };

        var redeemed = await CodeRedemption.RedeemAsync(Http, host.TokenEndpoint, client, code);
        var refreshed = await CodeRedemption.RefreshAsync(Http, host.TokenEndpoint, client, redeemed.RefreshToken!);
        await Http.RevokeTokenAsync(new TokenRevocationRequest { Address = host.RevocationEndpoint.ToString(), ClientId = client.ClientId, ClientSecret = client.Secret, Token = refreshed.RefreshToken! });
        const string queryCode = "query-code-that-must-not-be-logged";
        using var inQuery = await Http.PostAsync(host.TokenEndpoint + $"?code={queryCode}&client_secret=query-secret-that-must-not-be-logged", new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "authorization_code" }));
        using var wrongSecret = await Http.PostAsync(host.TokenEndpoint, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code", ["code"] = code.Code, ["redirect_uri"] = TestClients.RedirectUri,
            ["client_id"] = client.ClientId, ["client_secret"] = "a-wrong-secret-that-must-not-be-logged-000",
        }));
        secrets.AddRange([redeemed.AccessToken!, redeemed.RefreshToken!, refreshed.AccessToken!, refreshed.RefreshToken!, queryCode, "query-secret-that-must-not-be-logged", "a-wrong-secret-that-must-not-be-logged-000"]);

        Assert.That(inQuery.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        var text = logs.AllText();
        Assert.That(logs.Entries.Count(e => e.Level <= LogLevel.Debug), Is.GreaterThan(0), "the host did log at Trace and Debug");
        Assert.Multiple(() =>
        {
            foreach (var secret in secrets)
            {
                Assert.That(text, Does.Not.Contain(secret), "a credential or token in the log");
            }

            Assert.That(text, Does.Not.Contain("?code=").And.Not.Contain("client_secret="), "a query string in the log");
        });
    }

    [Test]
    public async Task BodyEndingBeforeItsContentLength_IsTheClientsFault_400OrNothing_LoggedAtDebugOnly()
    {
        var (answer, logs) = await SendRawAsync(
            "Content-Length: 400\r\n\r\ngrant_type=authorization_code&code=", closeSendingSide: true);

        // Kestrel may drop a connection whose body fell short before the answer goes out: "nothing, if it is gone".
        Assert.That(answer, Is.Empty.Or.StartWith("HTTP/1.1 400"), answer);
        await AssertClientFaultLoggedAtDebugAsync(logs);
    }

    [Test]
    public async Task MalformedChunkedBody_Is400_LoggedAtDebugOnly_NeverADependencyFailure()
    {
        var (answer, logs) = await SendRawAsync(
            "Transfer-Encoding: chunked\r\n\r\n10\r\ngrant_type=autho\r\nzz-not-a-chunk-size\r\n\r\n", closeSendingSide: false);

        Assert.That(answer, Does.StartWith("HTTP/1.1 400"), answer);
        await AssertClientFaultLoggedAtDebugAsync(logs);
    }

    private static async Task<(string Answer, LogCollector Logs)> SendRawAsync(string headersAndBody, bool closeSendingSide)
    {
        var logs = new LogCollector();
        await using var host = await ServiceHost.StartAsync(new Dictionary<string, string?> { ["Logging__LogLevel__Default"] = "Debug" }, logs: logs);
        using var socket = new TcpClient();
        await socket.ConnectAsync(IPAddress.Loopback, host.BaseAddress.Port);
        var stream = socket.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            $"POST /{Functions.Routes.Token} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Type: application/x-www-form-urlencoded\r\n{headersAndBody}"));
        if (closeSendingSide)
        {
            socket.Client.Shutdown(SocketShutdown.Send);
        }

        var answer = await ReadUntilClosedAsync(stream);
        await WaitForRequestEntryAsync(logs);
        return (answer, logs);
    }

    private static async Task AssertClientFaultLoggedAtDebugAsync(LogCollector logs)
    {
        var entry = await WaitForRequestEntryAsync(logs);
        Assert.Multiple(() =>
        {
            Assert.That(entry.Level, Is.EqualTo(LogLevel.Debug), entry.FullText);
            Assert.That(entry["Status"], Is.EqualTo(400));
            Assert.That(logs.Entries.Where(e => e.Level >= LogLevel.Warning).Select(e => e.FullText), Is.Empty, "no warning, no dependency failure");
        });
    }

    [Test]
    public async Task ConnectionAbortedMidBody_IsLoggedAtDebugOnly()
    {
        var logs = new LogCollector();
        await using var host = await ServiceHost.StartAsync(new Dictionary<string, string?> { ["Logging__LogLevel__Default"] = "Debug" }, logs: logs);
        using (var socket = new TcpClient())
        {
            await socket.ConnectAsync(IPAddress.Loopback, host.BaseAddress.Port);
            await socket.GetStream().WriteAsync(Encoding.ASCII.GetBytes(
                $"POST /{Functions.Routes.Token} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 400\r\n\r\ngrant_type=refresh"));
            socket.Client.LingerState = new LingerOption(true, 0);
        }

        var entry = await WaitForRequestEntryAsync(logs);
        Assert.Multiple(() =>
        {
            Assert.That(entry.Level, Is.EqualTo(LogLevel.Debug), entry.FullText);
            Assert.That(entry["Status"], Is.Not.EqualTo(503));
            Assert.That(logs.Entries.Where(e => e.Level >= LogLevel.Warning).Select(e => e.FullText), Is.Empty, "no warning, no dependency failure");
        });
    }

    /// <summary>What the server sent before it closed or reset the connection (Kestrel resets one whose body fell short).</summary>
    private static async Task<string> ReadUntilClosedAsync(NetworkStream stream)
    {
        var received = new MemoryStream();
        var buffer = new byte[4096];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer)) > 0)
            {
                received.Write(buffer, 0, read);
            }
        }
        catch (IOException)
        {
        }

        return Encoding.ASCII.GetString(received.ToArray());
    }

    /// <summary>The request's one entry; the server writes it after the response, so it may come a moment later.</summary>
    private static async Task<LogEntry> WaitForRequestEntryAsync(LogCollector logs)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            if (logs.Entries.FirstOrDefault(e => e["Endpoint"] is not null) is { } entry)
            {
                return entry;
            }

            await Task.Delay(50);
        }

        Assert.Fail("the request wrote no log entry: " + logs.AllText());
        throw new InvalidOperationException();
    }
}
