using TokenFunction.Tests.Infrastructure;

namespace TokenFunction.Tests.EndToEnd;

/// <summary>With Key Vault signing, the sign call is a child span of the token request, and its time is the keyvault signer's.</summary>
public sealed class KeyVaultTelemetryTests
{
    [Test]
    public async Task TheSignCall_IsASpanUnderTheTokenRequest_AndTimedAsTheKeyVaultSigner()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        string clientId;
        await using (var service = await KeyVaultService.StartAsync(new Dictionary<string, string?>
        {
            [TokenFunction.Settings.SettingNames.OtlpEndpoint] = receiver.BaseAddress.ToString().TrimEnd('/'),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        }))
        {
            var client = await service.AddClientAsync();
            clientId = client.ClientId;
            await service.IssueTokenAsync(client);
        }

        var spans = receiver.Spans.ToDictionary(s => s.SpanId);
        var server = spans.Values.Single(s => s.Kind == 2 && Equals(s.Attributes.GetValueOrDefault("oauth.client_id"), clientId));
        var signs = spans.Values.Where(s => s.TraceId == server.TraceId && s.Scope == "Azure.Core.Http"
            && (s.Attributes.GetValueOrDefault("url.full") as string ?? string.Empty).Contains($"/keys/{KeyVaultService.KeyName}/", StringComparison.Ordinal)
            && (s.Attributes.GetValueOrDefault("url.full") as string ?? string.Empty).Contains("/sign", StringComparison.Ordinal)).ToList();
        var signing = receiver.MetricPoints.Where(p => p.Name == "oauth.signing.duration").ToList();

        Assert.Multiple(() =>
        {
            Assert.That(signs, Has.Count.EqualTo(1), string.Join('\n', spans.Values.Select(s => $"{s.Scope} {s.Name} {s.Attributes.GetValueOrDefault("url.full")}")));
            Assert.That(signs.Select(s => IsUnder(s, server.SpanId, spans)), Has.All.True);
            Assert.That(signing.Where(p => Equals(p.Attributes.GetValueOrDefault("signer"), "keyvault") && Equals(p.Attributes.GetValueOrDefault("outcome"), "ok")).Sum(p => p.Value), Is.EqualTo(1));
        });
    }

    private static bool IsUnder(OtlpSpan span, string ancestor, Dictionary<string, OtlpSpan> spans)
    {
        for (var current = span; current is not null; current = spans.GetValueOrDefault(current.ParentSpanId))
        {
            if (current.ParentSpanId == ancestor)
            {
                return true;
            }
        }

        return false;
    }
}
