using System.Diagnostics.Metrics;
using System.Reflection;
using Azure.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using TokenFunction.Protocol;
using TokenFunction.Settings;
using TokenFunction.Signing;
using TokenFunction.Storage;
using TokenFunction.Telemetry;
using TokenFunction.Tests.Infrastructure;
using TokenFunction.Tests.Unit.Signing;

namespace TokenFunction.Tests.Unit.Telemetry;

/// <summary>The audit events' shape and the few decisions telemetry makes itself (rotation, the storage operation).</summary>
public sealed class AuditEventTests
{
    [Test]
    public void TheCodesAuditEventsAndInstruments_AreTheOnesTheInfrastructureWatches()
    {
        var events = typeof(AuditLog).GetMethods(BindingFlags.NonPublic | BindingFlags.Static)
            .Select(m => m.GetCustomAttribute<LoggerMessageAttribute>())
            .OfType<LoggerMessageAttribute>()
            .ToDictionary(a => a.EventName!, a => a.EventId, StringComparer.Ordinal);
        var instruments = typeof(TokenMetrics).GetFields(BindingFlags.NonPublic | BindingFlags.Static)
            .Select(f => f.GetValue(null))
            .OfType<Instrument>()
            .ToList();

        Assert.Multiple(() =>
        {
            Assert.That(events, Is.EquivalentTo(Infra.TelemetryContractTests.AuditEvents));
            Assert.That(instruments.Select(i => i.Name), Is.EquivalentTo(Infra.TelemetryContractTests.Instruments));
            Assert.That(instruments.Select(i => i.Meter.Name), Has.All.EqualTo("TokenFunction"));
        });
    }

    [Test]
    public void SubjectHash_IsTheFirst16CharactersOfTheBase64UrlSha256_AsOperationsMdComputesIt()
    {
        // printf %s user-42 | openssl dgst -sha256 -binary | basenc --base64url | cut -c1-16
        Assert.That(AuditLog.SubjectHash("user-42"), Is.EqualTo(Base64UrlSha256.Of("user-42")[..16]).And.Length.EqualTo(16));
    }

    [Test]
    public void GrantRevoked_IsEvent5004OfTheAuditCategory_WithTheSubjectHashedNeverInClear()
    {
        using var logs = new LogCollector();
        using var factory = LoggerFactory.Create(builder => builder.AddProvider(logs));

        new AuditLog(factory).GrantRevoked("web-app", "abcdefgh", "alice@example.com", RevocationReason.RefreshReuse, "web-app");

        var entry = logs.Entries.Single();
        Assert.Multiple(() =>
        {
            Assert.That(entry.Category, Is.EqualTo("TokenFunction.Audit"));
            Assert.That(entry.EventId.Id, Is.EqualTo(5004));
            Assert.That(entry.EventId.Name, Is.EqualTo("GrantRevoked"));
            Assert.That(entry["ClientId"], Is.EqualTo("web-app"));
            Assert.That(entry["Grant"], Is.EqualTo("abcdefgh"));
            Assert.That(entry["SubjectHash"], Is.EqualTo(AuditLog.SubjectHash("alice@example.com")));
            Assert.That(entry["Reason"], Is.EqualTo("refresh_reuse"));
            Assert.That(entry["By"], Is.EqualTo("web-app"));
            Assert.That(entry.FullText, Does.Not.Contain("alice"));
        });
    }

    [Test]
    public async Task SigningWithANewKid_EmitsSigningKeyRotatedOnce_AndNotForTheFirstKey()
    {
        using var first = LocalSigningKey.FromPem(LocalSigningKey.GeneratePem("ES256"));
        using var second = LocalSigningKey.FromPem(LocalSigningKey.GeneratePem("ES256"));
        var keys = new SwitchableKeyProvider(first);
        using var logs = new LogCollector();
        using var factory = LoggerFactory.Create(builder => builder.AddProvider(logs));
        var tokens = new AccessTokenFactory(keys, Options.Create(new TokenOptions { Issuer = "https://login.example.com", Audience = "https://api.example.com" }),
            new FakeTimeProvider(DateTimeOffset.UtcNow), new AuditLog(factory));
        var descriptor = new AccessTokenDescriptor("user-42", "web-app", "read");

        await tokens.CreateAsync(descriptor, CancellationToken.None);
        await tokens.CreateAsync(descriptor, CancellationToken.None);
        keys.Current = second;
        await tokens.CreateAsync(descriptor, CancellationToken.None);
        await tokens.CreateAsync(descriptor, CancellationToken.None);
        // A request that took the old key just before the change and signs after it: a straggler, not a rotation back.
        keys.Current = first;
        await tokens.CreateAsync(descriptor, CancellationToken.None);
        keys.Current = second;
        await tokens.CreateAsync(descriptor, CancellationToken.None);

        var rotated = logs.Entries.Where(e => e.EventId.Id == 5007).ToList();
        Assert.That(rotated, Has.Count.EqualTo(1));
        Assert.Multiple(() =>
        {
            Assert.That(rotated[0].EventId.Name, Is.EqualTo("SigningKeyRotated"));
            Assert.That(rotated[0]["KeyId"], Is.EqualTo(second.KeyId));
            Assert.That(rotated[0]["PreviousKeyId"], Is.EqualTo(first.KeyId));
        });
    }

    [Test]
    public async Task EverySignature_IsTimedWithItsSigner()
    {
        using var key = LocalSigningKey.FromPem(LocalSigningKey.GeneratePem("ES256"));
        var tokens = new AccessTokenFactory(new FixedKeyProvider(key), Options.Create(new TokenOptions { Issuer = "https://login.example.com", Audience = "https://api.example.com" }),
            new FakeTimeProvider(DateTimeOffset.UtcNow), AuditLog.None);
        var recorded = new List<(double Seconds, Dictionary<string, object?> Tags)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "TokenFunction" && instrument.Name == "oauth.signing.duration")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((_, value, tags, _) =>
        {
            lock (recorded)
            {
                recorded.Add((value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value)));
            }
        });
        listener.Start();

        await tokens.CreateAsync(new AccessTokenDescriptor("user-42", "web-app", "read"), CancellationToken.None);

        lock (recorded)
        {
            // Other tests may sign in parallel: at least this one's measurement, each with both attributes.
            Assert.That(recorded, Is.Not.Empty);
            Assert.That(recorded, Has.All.Matches<(double Seconds, Dictionary<string, object?> Tags)>(
                r => r.Seconds >= 0 && (string?)r.Tags["signer"] == "local" && (string?)r.Tags["outcome"] == "ok"));
        }
    }

    [TestCase("GET", "/devstoreaccount1/OAuthGrants(PartitionKey='a',RowKey='b')", "read")]
    [TestCase("GET", "/devstoreaccount1/OAuthGrants%28PartitionKey=%27a%27,RowKey=%27b%27%29", "read")]
    [TestCase("GET", "/devstoreaccount1/OAuthGrants()", "query")]
    [TestCase("GET", "/devstoreaccount1/Tables", "query")]
    [TestCase("POST", "/devstoreaccount1/$batch", "transaction")]
    [TestCase("POST", "/devstoreaccount1/OAuthGrants", "write")]
    [TestCase("PUT", "/devstoreaccount1/OAuthGrants(PartitionKey='a',RowKey='b')", "write")]
    [TestCase("PATCH", "/devstoreaccount1/OAuthGrants(PartitionKey='a',RowKey='b')", "write")]
    [TestCase("DELETE", "/devstoreaccount1/OAuthGrants(PartitionKey='a',RowKey='b')", "write")]
    public void StorageOperation_ComesFromTheHttpMethodAndPath(string method, string path, string operation)
    {
        using var request = new Azure.Core.Pipeline.HttpClientTransport().CreateRequest();
        request.Method = RequestMethod.Parse(method);
        request.Uri.Reset(new Uri("http://127.0.0.1:10002" + path));

        Assert.That(StorageDurationPolicy.OperationOf(request), Is.EqualTo(operation));
    }

    private sealed class SwitchableKeyProvider(ISigningKey current) : ISigningKeyProvider
    {
        public ISigningKey Current { get; set; } = current;

        public ValueTask<ISigningKey> GetSigningKeyAsync(CancellationToken cancellationToken) => ValueTask.FromResult(Current);

        public ValueTask<IReadOnlyList<PublicJsonWebKey>> GetPublicKeysAsync(CancellationToken cancellationToken) =>
            ValueTask.FromResult<IReadOnlyList<PublicJsonWebKey>>([]);
    }
}
