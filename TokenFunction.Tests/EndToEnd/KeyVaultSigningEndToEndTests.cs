using System.Net;
using System.Security.Cryptography;
using TokenFunction.Protocol;
using TokenFunction.Tests.Infrastructure;
using TokenFunction.Settings;

namespace TokenFunction.Tests.EndToEnd;

/// <summary>
/// The token exchange over HTTP with tokens signed in (a double of) Azure Key Vault: tokens validate against the
/// served JWKS, and a token costs one Key Vault call.
/// </summary>
public sealed class KeyVaultSigningEndToEndTests
{
    [Test]
    public async Task ConfidentialClient_RedeemsACode_ForAJwtSignedInKeyVaultThatValidatesAgainstTheServedJwks()
    {
        await using var service = await KeyVaultService.StartAsync();
        var client = await service.AddClientAsync();

        string token = await service.IssueTokenAsync(client);

        await service.AssertValidAsync(token);
        string kid = KeyVaultService.Header(token, "kid");
        Assert.Multiple(async () =>
        {
            Assert.That(kid, Is.EqualTo(service.FirstVersion), "kid is the Key Vault key version");
            Assert.That(await service.PublishedKeyIdsAsync(), Is.EqualTo(new[] { kid }));
            Assert.That(KeyVaultService.Header(token, "alg"), Is.EqualTo("RS256"));
        });
    }

    [Test]
    public async Task AfterWarmUp_EachTokenCostsExactlyOneSignAndNoKeyReads()
    {
        await using var service = await KeyVaultService.StartAsync();
        var client = await service.AddClientAsync();
        await service.IssueTokenAsync(client);
        service.Vault.ResetCounts();

        var tokens = new List<string>();
        for (int i = 0; i < 3; i++)
        {
            tokens.Add(await service.IssueTokenAsync(client));
        }

        Assert.Multiple(() =>
        {
            Assert.That(service.Vault.Count("sign"), Is.EqualTo(3), "one sign per token");
            Assert.That(service.Vault.Count("get-key"), Is.Zero, "no key read per token");
            Assert.That(service.Vault.Count("list-versions"), Is.Zero, "no version list per token");
            Assert.That(service.Vault.Total, Is.EqualTo(3));
        });
        foreach (string token in tokens)
        {
            await service.AssertValidAsync(token);
        }
    }

    [Test]
    public async Task AfterAJwksFetch_TheFirstTokenCostsExactlyOneSign()
    {
        await using var service = await KeyVaultService.StartAsync();
        var client = await service.AddClientAsync();
        Assert.That(await service.PublishedKeyIdsAsync(), Is.EqualTo(new[] { service.FirstVersion }));
        Assert.That(service.Vault.Count("list-versions") + service.Vault.Count("get-key"), Is.Positive, "the JWKS fetch read the key");
        service.Vault.ResetCounts();

        string token = await service.IssueTokenAsync(client);

        Assert.Multiple(() =>
        {
            Assert.That(service.Vault.Count("sign"), Is.EqualTo(1));
            Assert.That(service.Vault.Total, Is.EqualTo(1), "the key metadata read for JWKS serves the signer too");
        });
        await service.AssertValidAsync(token);
    }

    [TestCase("RS256")]
    [TestCase("PS256")]
    public async Task RsaKey_SignsTokensWithTheConfiguredAlgorithm_ThatValidateAgainstTheServedJwks(string algorithm)
    {
        await using var service = await KeyVaultService.StartAsync(new Dictionary<string, string?>
        {
            [KeyVaultService.Setting(nameof(SigningOptions.RsaAlgorithm))] = algorithm,
        });
        var client = await service.AddClientAsync();

        string token = await service.IssueTokenAsync(client);

        Assert.That(KeyVaultService.Header(token, "alg"), Is.EqualTo(algorithm));
        await service.AssertValidAsync(token);
    }

    [Test]
    public async Task EcP256Key_SignsES256TokensThatValidateAgainstTheServedJwks()
    {
        await using var service = await KeyVaultService.StartAsync(
            addVersion: vault => vault.AddEcVersion(KeyVaultService.KeyName, ECCurve.NamedCurves.nistP256));
        var client = await service.AddClientAsync();

        string token = await service.IssueTokenAsync(client);

        Assert.That(KeyVaultService.Header(token, "alg"), Is.EqualTo("ES256"));
        await service.AssertValidAsync(token);
    }
}

/// <summary>Key rotation over HTTP, driven by the host's clock: a new version is published before it signs.</summary>
public sealed class KeyVaultRotationEndToEndTests
{
    private const int RefreshSeconds = 60;
    private const int PrePublicationSeconds = 120;

    [Test]
    public async Task NewKeyVersion_IsPublishedAfterTheRefreshInterval_SignsAfterPrePublication_AndOldTokensStillValidate()
    {
        await using var service = await KeyVaultService.StartAsync(new Dictionary<string, string?>
        {
            [KeyVaultService.Setting(nameof(SigningOptions.KeyRefreshSeconds))] = RefreshSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [KeyVaultService.Setting(nameof(SigningOptions.PrePublicationSeconds))] = PrePublicationSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [KeyVaultService.Setting(nameof(SigningOptions.RetiredKeyGraceSeconds))] = "60",
        });
        var client = await service.AddClientAsync();
        string v1 = service.FirstVersion;
        string beforeRotation = await service.IssueTokenAsync(client);
        Assert.That(KeyVaultService.Header(beforeRotation, "kid"), Is.EqualTo(v1));

        string v2 = service.Vault.AddRsaVersion(KeyVaultService.KeyName);

        // Not re-read before the refresh interval: neither published nor signing.
        Assert.That(await service.PublishedKeyIdsAsync(), Is.EqualTo(new[] { v1 }), "read again only after the refresh interval");

        service.Time.Advance(TimeSpan.FromSeconds(RefreshSeconds + 1));
        IReadOnlyList<string> published = await PollJwksUntilAsync(service, ids => ids.Contains(v2));
        Assert.That(published, Is.EquivalentTo(new[] { v1, v2 }), "the new version is published, the old one stays");

        string duringPrePublication = await service.IssueTokenAsync(client);
        Assert.That(KeyVaultService.Header(duringPrePublication, "kid"), Is.EqualTo(v1), "the new version does not sign before pre-publication is over");

        service.Time.Advance(TimeSpan.FromSeconds(PrePublicationSeconds));
        string afterRotation = await service.IssueTokenAsync(client);
        Assert.That(KeyVaultService.Header(afterRotation, "kid"), Is.EqualTo(v2), "the new version signs after pre-publication");

        Assert.That(await service.PublishedKeyIdsAsync(), Is.EquivalentTo(new[] { v1, v2 }), "the retired version stays published while its tokens live");
        await service.AssertValidAsync(beforeRotation);
        await service.AssertValidAsync(duringPrePublication);
        await service.AssertValidAsync(afterRotation);
    }

    [Test]
    public async Task BrandNewKeyRotatedDuringItsPrePublication_KeepsSigningWithTheVersionInUse_UntilTheNewOneIsPrePublished()
    {
        await using var service = await KeyVaultService.StartAsync(new Dictionary<string, string?>
        {
            [KeyVaultService.Setting(nameof(SigningOptions.KeyRefreshSeconds))] = RefreshSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [KeyVaultService.Setting(nameof(SigningOptions.PrePublicationSeconds))] = PrePublicationSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }, keyAge: TimeSpan.Zero);
        var client = await service.AddClientAsync();
        string v1 = service.FirstVersion;
        string first = await service.IssueTokenAsync(client);
        Assert.That(KeyVaultService.Header(first, "kid"), Is.EqualTo(v1), "a brand-new key signs at once: there is nothing else");

        // Versions are ordered by their created time (whole seconds): the new one is created a few seconds later.
        service.Time.Advance(TimeSpan.FromSeconds(5));
        string v2 = service.Vault.AddRsaVersion(KeyVaultService.KeyName);
        service.Time.Advance(TimeSpan.FromSeconds(RefreshSeconds + 1));
        Assert.That(await PollJwksUntilAsync(service, ids => ids.Contains(v2)), Is.EquivalentTo(new[] { v1, v2 }));

        string duringPrePublication = await service.IssueTokenAsync(client);
        Assert.That(KeyVaultService.Header(duringPrePublication, "kid"), Is.EqualTo(v1), "a version just published must not sign yet");

        service.Time.Advance(TimeSpan.FromSeconds(PrePublicationSeconds));
        string afterRotation = await service.IssueTokenAsync(client);
        Assert.That(KeyVaultService.Header(afterRotation, "kid"), Is.EqualTo(v2));
        await service.AssertValidAsync(duringPrePublication);
    }

    /// <summary>Fetches the JWKS until <paramref name="condition"/> holds, a bounded number of times (a refresh may still be running).</summary>
    private static async Task<IReadOnlyList<string>> PollJwksUntilAsync(KeyVaultService service, Func<IReadOnlyList<string>, bool> condition)
    {
        IReadOnlyList<string> ids = [];
        for (int attempt = 0; attempt < 50; attempt++)
        {
            ids = await service.PublishedKeyIdsAsync();
            if (condition(ids))
            {
                break;
            }

            await Task.Delay(100);
        }

        return ids;
    }
}

/// <summary>
/// Key Vault faults over HTTP: no token, a clean OAuth error without a stack trace (503 with Retry-After when a retry
/// may cure it, else 500), and the code survives to be redeemed once the vault answers again.
/// </summary>
public sealed class KeyVaultFaultEndToEndTests
{
    private KeyVaultService service = null!;
    private RegisteredClient client = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        service = await KeyVaultService.StartAsync(new Dictionary<string, string?>
        {
            [KeyVaultService.Setting(nameof(SigningOptions.KeyVaultNetworkTimeoutSeconds))] = "1",
            [KeyVaultService.Setting(nameof(SigningOptions.KeyVaultMaxRetries))] = "1",
            [KeyVaultService.Setting(nameof(SigningOptions.KeyVaultMaxRetryAfterSeconds))] = "5",
        });
        client = await service.AddClientAsync();

        // Warm-up: the key is read, so that the faults below hit the sign.
        await service.IssueTokenAsync(client);
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await service.DisposeAsync();

    [SetUp]
    public void ResetVault()
    {
        service.Vault.Forbidden = false;
        service.Vault.ResponseDelay = TimeSpan.Zero;
        service.Vault.ResetCounts();
    }

    [Test]
    public async Task ThrottledWithRetryAfterBeyondTheBound_FailsFastWith503RetryAfter_AndTheCodeStaysRedeemable()
    {
        var code = await service.IssueCodeAsync(client);
        service.Vault.EnqueueSignFault(429, "120");

        var failed = await service.RedeemAsync(client, code);

        await OAuthAssert.ErrorAsync(failed.HttpResponse!, HttpStatusCode.ServiceUnavailable, OAuthErrorCodes.TemporarilyUnavailable);
        Assert.Multiple(() =>
        {
            Assert.That(failed.HttpResponse!.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(120)), "the vault's Retry-After is passed on");
            Assert.That(service.Vault.Count("sign"), Is.EqualTo(1), "a Retry-After beyond the bound is not waited for");
        });
        await AssertRedeemedOnceTheVaultAnswersAsync(code);
    }

    [Test]
    public async Task ThrottledRepeatedly_Gives503RetryAfterAfterTheBoundedRetries_AndTheCodeStaysRedeemable()
    {
        var code = await service.IssueCodeAsync(client);
        service.Vault.EnqueueSignFault(429, "1");
        service.Vault.EnqueueSignFault(429, "1");

        var failed = await service.RedeemAsync(client, code);

        await OAuthAssert.ErrorAsync(failed.HttpResponse!, HttpStatusCode.ServiceUnavailable, OAuthErrorCodes.TemporarilyUnavailable);
        Assert.Multiple(() =>
        {
            Assert.That(failed.HttpResponse!.Headers.RetryAfter?.Delta, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(1)));
            Assert.That(service.Vault.Count("sign"), Is.EqualTo(2), "one try and the one configured retry");
        });
        await AssertRedeemedOnceTheVaultAnswersAsync(code);
    }

    [Test]
    public async Task Forbidden_Gives500ServerErrorWithNothingMore_AndTheCodeStaysRedeemable()
    {
        var code = await service.IssueCodeAsync(client);
        service.Vault.Forbidden = true;

        var failed = await service.RedeemAsync(client, code);

        await OAuthAssert.ErrorAsync(failed.HttpResponse!, HttpStatusCode.InternalServerError, OAuthErrorCodes.ServerError);
        Assert.Multiple(() =>
        {
            Assert.That(failed.Raw, Is.EqualTo("""{"error":"server_error"}"""), "server_error says nothing more");
            Assert.That(failed.HttpResponse!.Headers.RetryAfter, Is.Null, "a missing role is not cured by retrying");
            Assert.That(service.Vault.Count("sign"), Is.EqualTo(1), "403 is not retried");
        });

        service.Vault.Forbidden = false;
        await AssertRedeemedOnceTheVaultAnswersAsync(code);
    }

    [Test]
    public async Task SlowVault_Gives503RetryAfterAfterTheNetworkTimeout_AndTheCodeStaysRedeemable()
    {
        var code = await service.IssueCodeAsync(client);
        service.Vault.ResponseDelay = TimeSpan.FromSeconds(30);

        var failed = await service.RedeemAsync(client, code);

        await OAuthAssert.ErrorAsync(failed.HttpResponse!, HttpStatusCode.ServiceUnavailable, OAuthErrorCodes.TemporarilyUnavailable);
        Assert.Multiple(() =>
        {
            Assert.That(failed.HttpResponse!.Headers.RetryAfter?.Delta, Is.GreaterThan(TimeSpan.Zero));
            Assert.That(service.Vault.Count("sign"), Is.EqualTo(2), "each try abandoned at the network timeout, then retried once");
        });

        service.Vault.ResponseDelay = TimeSpan.Zero;
        await AssertRedeemedOnceTheVaultAnswersAsync(code);
    }

    private async Task AssertRedeemedOnceTheVaultAnswersAsync(IssuedCode code)
    {
        var retried = await service.RedeemAsync(client, code);
        Assert.That(retried.IsError, Is.False, "the same code is redeemed once the vault answers: " + retried.Raw);
        await service.AssertValidAsync(retried.AccessToken!);
    }
}
