using TokenFunction.Grants;
using TokenFunction.Protocol;
using TokenFunction.Telemetry;
using TokenFunction.Tests.Infrastructure;
using TokenFunction.Tests.Unit.Grants;
using static TokenFunction.Tests.Unit.Grants.GrantHarness;

namespace TokenFunction.Tests.Unit.Telemetry;

/// <summary>Which audit events each grant outcome writes, and with which fields (on the in-memory stores).</summary>
public sealed class GrantAuditEventTests
{
    private const string Subject = "alice";
    private GrantHarness _grants = null!;

    [SetUp]
    public void SetUp() => _grants = new GrantHarness();

    [TearDown]
    public void TearDown() => _grants.Dispose();

    [Test]
    public async Task ACodeExchange_IsOneTokenIssued_WithTheGrantsShortIdAndTheSubjectsHash()
    {
        var client = Client();
        var (code, verifier) = await _grants.IssueAsync(client, subject: Subject);

        await _grants.RedeemAsync(client, code, verifier);

        var issued = Events().Single();
        Assert.Multiple(async () =>
        {
            Assert.That(issued.EventId.Id, Is.EqualTo(5001));
            Assert.That(issued.EventId.Name, Is.EqualTo("TokenIssued"));
            Assert.That(issued["ClientId"], Is.EqualTo(client.ClientId));
            Assert.That(issued["GrantType"], Is.EqualTo(GrantTypeNames.AuthorizationCode));
            Assert.That(issued["Grant"], Is.EqualTo(GrantKeys.ForLog((await _grants.GrantAsync(code)).GrantId)));
            Assert.That(issued["SubjectHash"], Is.EqualTo(AuditLog.SubjectHash(Subject)));
        });
    }

    [Test]
    public async Task ClientCredentials_IsATokenIssued_WithoutGrantOrSubject()
    {
        var client = Client();

        await _grants.ClientCredentialsAsync(client);

        var issued = Events().Single();
        Assert.Multiple(() =>
        {
            Assert.That(issued.EventId.Id, Is.EqualTo(5001));
            Assert.That(issued["GrantType"], Is.EqualTo(GrantTypeNames.ClientCredentials));
            Assert.That(issued["Grant"], Is.Null);
            Assert.That(issued["SubjectHash"], Is.Null);
        });
    }

    [Test]
    public async Task ARefreshTokenReusedAfterTheGraceWindow_IsRefreshReuseDetected_ThenGrantRevokedForRefreshReuse()
    {
        var client = Client();
        var (code, verifier) = await _grants.IssueAsync(client, subject: Subject);
        var first = await _grants.RedeemAsync(client, code, verifier);
        await _grants.RefreshAsync(client, first.RefreshToken!);
        _grants.Clock.Advance(TimeSpan.FromSeconds(GraceSeconds));

        await Assert.ThrowsAsync<OAuthProtocolException>(() => _grants.RefreshAsync(client, first.RefreshToken!));

        var grant = GrantKeys.ForLog((await _grants.GrantAsync(code)).GrantId);
        var events = Events();
        Assert.That(events.Select(e => e.EventId.Id), Is.EqualTo(new[] { 5001, 5001, 5003, 5004 }), "issued by the exchange and the refresh, then the reuse");
        Assert.Multiple(() =>
        {
            Assert.That(events[2]["Grant"], Is.EqualTo(grant));
            Assert.That(events[2]["SubjectHash"], Is.EqualTo(AuditLog.SubjectHash(Subject)));
            Assert.That(events[3]["Reason"], Is.EqualTo(RevocationReason.RefreshReuse));
            Assert.That(events[3]["By"], Is.EqualTo(client.ClientId));
            Assert.That(events[3]["Grant"], Is.EqualTo(grant));
        });
    }

    [Test]
    public async Task ARetiredRefreshTokenWithinTheGraceWindow_IsATokenIssued_NotAReuse()
    {
        var client = Client();
        var (code, verifier) = await _grants.IssueAsync(client, subject: Subject);
        var first = await _grants.RedeemAsync(client, code, verifier);
        await _grants.RefreshAsync(client, first.RefreshToken!);

        await _grants.RefreshAsync(client, first.RefreshToken!);

        Assert.That(Events().Select(e => e.EventId.Name), Is.EqualTo(new[] { "TokenIssued", "TokenIssued", "TokenIssued" }));
    }

    [Test]
    public async Task TheLostAnswerRetryOfACodeExchange_IsATokenIssued_NotAReplay()
    {
        var client = Client();
        var (code, verifier) = await _grants.IssueAsync(client, subject: Subject);
        await _grants.RedeemAsync(client, code, verifier);

        await _grants.RedeemAsync(client, code, verifier);

        Assert.That(Events().Select(e => e.EventId.Name), Is.EqualTo(new[] { "TokenIssued", "TokenIssued" }));
    }

    [Test]
    public async Task ARevocationRequest_IsGrantRevokedByTheClient_ForTheRevocationEndpoint()
    {
        var client = Client();
        var (code, verifier) = await _grants.IssueAsync(client, subject: Subject);
        var issued = await _grants.RedeemAsync(client, code, verifier);

        await _grants.Revocation.RevokeAsync(client, issued.RefreshToken!, CancellationToken.None);
        await _grants.Revocation.RevokeAsync(client, issued.RefreshToken!, CancellationToken.None);

        var revoked = Events().Where(e => e.EventId.Id == 5004).ToList();
        Assert.That(revoked, Has.Count.EqualTo(1), "a grant already revoked is not revoked again");
        Assert.Multiple(() =>
        {
            Assert.That(revoked[0]["Reason"], Is.EqualTo(RevocationReason.RevocationEndpoint));
            Assert.That(revoked[0]["By"], Is.EqualTo(client.ClientId));
            Assert.That(revoked[0]["SubjectHash"], Is.EqualTo(AuditLog.SubjectHash(Subject)));
        });
    }

    private List<LogEntry> Events() => [.. _grants.Audit.Entries.Where(e => e.Category == TelemetryNames.AuditCategory)];
}
