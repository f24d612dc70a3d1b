using System.Diagnostics;
using System.Security.Cryptography;
using Azure;
using Microsoft.IdentityModel.JsonWebTokens;
using TokenFunction.Signing;
using TokenFunction.Signing.KeyVault;

namespace TokenFunction.Tests.KeyVault;

public class KeyVaultSigningTests
{
    [Test]
    public async Task FirstRequestIsChallenged_ThenTheTokenIsRequestedForTheChallengedResourceAndTenant()
    {
        await using KeyVaultHarness h = await KeyVaultHarness.StartAsync();
        string version = h.Vault.AddRsaVersion(KeyVaultHarness.KeyName);
        KeyVaultKeysClient client = h.CreateClient();

        Response<KeyVaultKey> key = await client.GetKeyAsync(KeyVaultHarness.KeyName);
        await client.GetKeyAsync(KeyVaultHarness.KeyName, version);

        Assert.That(key.Value.Key?.KeyId, Does.EndWith("/keys/token-signing/" + version));
        Assert.That(h.Vault.Count("challenge"), Is.EqualTo(1), "only the first request goes out unauthenticated");
        Assert.That(h.Vault.Count("get-key"), Is.EqualTo(2));
        Assert.That(h.Credential.Requests.Select(r => string.Join(' ', r.Scopes)).Distinct(), Is.EqualTo(new[] { "https://vault.localhost/.default" }));
        Assert.That(h.Credential.Requests.Select(r => r.TenantId).Distinct(), Is.EqualTo(new[] { KeyVaultDouble.TenantId }));
    }

    [Test]
    public async Task SignAsTheFirstRequest_SendsNoBodyBeforeTheChallenge_AndSignsAfterIt()
    {
        await using KeyVaultHarness h = await KeyVaultHarness.StartAsync();
        string version = h.Vault.AddEcVersion(KeyVaultHarness.KeyName, ECCurve.NamedCurves.nistP256);
        KeyVaultKeysClient client = h.CreateClient();
        byte[] digest = SHA256.HashData("hello"u8);

        Response<KeyVaultSignResult> result = await client.SignAsync(KeyVaultHarness.KeyName, version, "ES256", digest);

        Assert.That(h.Vault.Count("challenge"), Is.EqualTo(1));
        Assert.That(h.Vault.UnauthenticatedBodies, Is.Zero, "the digest must not reach the vault before it said how to authenticate");
        Assert.That(h.Vault.Count("sign"), Is.EqualTo(1));
        Assert.That(System.Buffers.Text.Base64Url.DecodeFromChars(result.Value.Value), Has.Length.EqualTo(64));
    }

    [Test]
    public async Task ChallengeNamingAnotherDomain_IsRefusedWithoutRequestingAToken()
    {
        await using KeyVaultHarness h = await KeyVaultHarness.StartAsync();
        h.Vault.AddRsaVersion(KeyVaultHarness.KeyName);
        h.Vault.ChallengeResource = "https://vault.azure.net";
        KeyVaultKeysClient client = h.CreateClient();

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(async () => await client.GetKeyAsync(KeyVaultHarness.KeyName));

        Assert.That(refused!.Message, Does.Contain("not the domain of the vault"));
        Assert.That(h.Credential.Requests, Is.Empty);
        Assert.That(h.Vault.Count("get-key"), Is.Zero);
    }

    [Test]
    public async Task ChallengeWithScopeInsteadOfResource_IsAcceptedForTheVaultDomain()
    {
        await using KeyVaultHarness h = await KeyVaultHarness.StartAsync();
        h.Vault.AddRsaVersion(KeyVaultHarness.KeyName);
        h.Vault.ChallengeResource = "https://vault.localhost/";
        KeyVaultKeysClient client = h.CreateClient();

        await client.GetKeyAsync(KeyVaultHarness.KeyName);

        Assert.That(h.Credential.Requests.Single().Scopes, Is.EqualTo(new[] { "https://vault.localhost/.default" }));
    }

    [Test]
    public void PlainHttpVault_IsRejected()
    {
        var credential = new FixedTokenCredential();
        Assert.Throws<ArgumentException>(() => _ = new KeyVaultKeysClient(new Uri("http://tokentest.vault.azure.net/"), credential));
    }

    [TestCase("RS256")]
    [TestCase("PS256")]
    [TestCase("ES256")]
    [TestCase("ES384")]
    public async Task TokenSignedInKeyVault_ValidatesAgainstThePublishedJwks(string algorithm)
    {
        await using KeyVaultHarness h = await KeyVaultHarness.StartAsync();
        string version = algorithm switch
        {
            "ES256" => h.Vault.AddEcVersion(KeyVaultHarness.KeyName, ECCurve.NamedCurves.nistP256),
            "ES384" => h.Vault.AddEcVersion(KeyVaultHarness.KeyName, ECCurve.NamedCurves.nistP384),
            _ => h.Vault.AddRsaVersion(KeyVaultHarness.KeyName),
        };
        KeyVaultSigningKeyProvider provider = h.CreateProvider(configure: o => o.RsaAlgorithm = algorithm.StartsWith('R') || algorithm.StartsWith('P') ? algorithm : "RS256");

        ISigningKey key = await provider.GetSigningKeyAsync(CancellationToken.None);
        string token = await Jwt.IssueAsync(key);
        IReadOnlyList<PublicJsonWebKey> jwks = await provider.GetPublicKeysAsync(CancellationToken.None);
        var result = await Jwt.ValidateAsync(token, jwks);

        Assert.That(key.Algorithm, Is.EqualTo(algorithm));
        Assert.That(key.KeyId, Is.EqualTo(version));
        Assert.That(jwks.Select(k => k.KeyId), Is.EqualTo(new[] { version }));
        Assert.That(jwks.Single().Algorithm, Is.EqualTo(algorithm));
        Assert.That(result.Exception, Is.Null);
        Assert.That(result.IsValid, Is.True);
        Assert.That(((JsonWebToken)result.SecurityToken).Kid, Is.EqualTo(version));

        string tampered = token[..^4] + (token[^4] == 'A' ? "B" : "A") + token[^3..];
        Assert.That((await Jwt.ValidateAsync(tampered, jwks)).IsValid, Is.False, "a wrong signature must not validate");
    }

    [Test]
    public async Task Rotation_NewVersionIsPublishedBeforeItSigns_AndOldTokensKeepValidatingUntilTheyExpire()
    {
        await using KeyVaultHarness h = await KeyVaultHarness.StartAsync();
        string v1 = h.Vault.AddRsaVersion(KeyVaultHarness.KeyName);
        h.Time.Advance(TimeSpan.FromDays(30));
        KeyVaultSigningKeyProvider provider = h.CreateProvider();
        ISigningKey first = await provider.GetSigningKeyAsync(CancellationToken.None);
        string oldToken = await Jwt.IssueAsync(first);
        Assert.That(first.KeyId, Is.EqualTo(v1));

        // The key is rotated in Key Vault; this instance sees it at its next refresh.
        string v2 = h.Vault.AddRsaVersion(KeyVaultHarness.KeyName);
        h.Time.Advance(TimeSpan.FromSeconds(60));
        IReadOnlyList<PublicJsonWebKey> published = await provider.GetPublicKeysAsync(CancellationToken.None);
        Assert.That(published.Select(k => k.KeyId), Is.EquivalentTo(new[] { v1, v2 }), "the new version is published at once");
        Assert.That((await provider.GetSigningKeyAsync(CancellationToken.None)).KeyId, Is.EqualTo(v1), "but does not sign yet");

        h.Time.Advance(TimeSpan.FromSeconds(3599));
        Assert.That((await provider.GetSigningKeyAsync(CancellationToken.None)).KeyId, Is.EqualTo(v1), "one second before the pre-publication delay is over");

        h.Time.Advance(TimeSpan.FromSeconds(1));
        ISigningKey second = await provider.GetSigningKeyAsync(CancellationToken.None);
        Assert.That(second.KeyId, Is.EqualTo(v2), "signs once it has been published for the delay");
        string newToken = await Jwt.IssueAsync(second);
        published = await provider.GetPublicKeysAsync(CancellationToken.None);
        Assert.That(published.Select(k => k.KeyId), Is.EquivalentTo(new[] { v1, v2 }));
        Assert.That((await Jwt.ValidateAsync(oldToken, published)).IsValid, Is.True, "tokens signed before the switch still validate");
        Assert.That((await Jwt.ValidateAsync(newToken, published)).IsValid, Is.True);

        // The old version stays until the longest token it signed has expired (lifetime + grace), then goes.
        h.Time.Advance(TimeSpan.FromSeconds(KeyVaultHarness.TokenLifetimeSeconds + 300 - 1));
        Assert.That((await provider.GetPublicKeysAsync(CancellationToken.None)).Select(k => k.KeyId), Is.EquivalentTo(new[] { v1, v2 }));
        h.Time.Advance(TimeSpan.FromSeconds(1));
        published = await provider.GetPublicKeysAsync(CancellationToken.None);
        Assert.That(published.Select(k => k.KeyId), Is.EqualTo(new[] { v2 }));
        Assert.That((await Jwt.ValidateAsync(newToken, published)).IsValid, Is.True);
    }

    [Test]
    public async Task BrandNewKey_RotatedDuringItsPrePublication_KeepsSigningWithItsFirstVersion_UntilTheNewOneIsPrePublished()
    {
        await using KeyVaultHarness h = await KeyVaultHarness.StartAsync();
        string v1 = h.Vault.AddRsaVersion(KeyVaultHarness.KeyName);
        KeyVaultSigningKeyProvider provider = h.CreateProvider();
        Assert.That((await provider.GetSigningKeyAsync(CancellationToken.None)).KeyId, Is.EqualTo(v1), "a brand-new key signs at once");

        h.Time.Advance(TimeSpan.FromSeconds(5));
        string v2 = h.Vault.AddRsaVersion(KeyVaultHarness.KeyName);
        h.Time.Advance(TimeSpan.FromSeconds(60));
        Assert.That((await provider.GetPublicKeysAsync(CancellationToken.None)).Select(k => k.KeyId), Is.EquivalentTo(new[] { v1, v2 }));
        Assert.That((await provider.GetSigningKeyAsync(CancellationToken.None)).KeyId, Is.EqualTo(v1), "the version just published does not sign yet");

        h.Time.Advance(TimeSpan.FromSeconds(3600));
        Assert.That((await provider.GetSigningKeyAsync(CancellationToken.None)).KeyId, Is.EqualTo(v2), "it signs once it has been published for the delay");
    }

    [Test]
    public async Task DisabledVersion_IsWithdrawnFromJwks_AndThePreviousVersionSigns()
    {
        await using KeyVaultHarness h = await KeyVaultHarness.StartAsync();
        string v1 = h.Vault.AddRsaVersion(KeyVaultHarness.KeyName);
        h.Time.Advance(TimeSpan.FromDays(1));
        string v2 = h.Vault.AddRsaVersion(KeyVaultHarness.KeyName);
        h.Time.Advance(TimeSpan.FromDays(1));
        KeyVaultSigningKeyProvider provider = h.CreateProvider();
        Assert.That((await provider.GetSigningKeyAsync(CancellationToken.None)).KeyId, Is.EqualTo(v2));

        h.Vault.SetEnabled(KeyVaultHarness.KeyName, v2, enabled: false);
        h.Time.Advance(TimeSpan.FromSeconds(60));

        Assert.That((await provider.GetPublicKeysAsync(CancellationToken.None)).Select(k => k.KeyId), Is.EqualTo(new[] { v1 }));
        Assert.That((await provider.GetSigningKeyAsync(CancellationToken.None)).KeyId, Is.EqualTo(v1));
    }

    [Test]
    public async Task PinnedVersion_SignsAndIsTheOnlyPublishedKey_EvenWhenNewerVersionsExist()
    {
        await using KeyVaultHarness h = await KeyVaultHarness.StartAsync();
        string v1 = h.Vault.AddEcVersion(KeyVaultHarness.KeyName, ECCurve.NamedCurves.nistP256);
        h.Time.Advance(TimeSpan.FromDays(1));
        h.Vault.AddEcVersion(KeyVaultHarness.KeyName, ECCurve.NamedCurves.nistP256);
        KeyVaultSigningKeyProvider provider = h.CreateProvider(version: v1);

        ISigningKey key = await provider.GetSigningKeyAsync(CancellationToken.None);
        IReadOnlyList<PublicJsonWebKey> published = await provider.GetPublicKeysAsync(CancellationToken.None);

        Assert.That(key.KeyId, Is.EqualTo(v1));
        Assert.That(published.Select(k => k.KeyId), Is.EqualTo(new[] { v1 }));
        Assert.That((await Jwt.ValidateAsync(await Jwt.IssueAsync(key), published)).IsValid, Is.True);
    }

    [Test]
    public async Task HotPath_MakesExactlyOneKeyVaultRequestPerToken()
    {
        await using KeyVaultHarness h = await KeyVaultHarness.StartAsync();
        h.Vault.AddRsaVersion(KeyVaultHarness.KeyName);
        KeyVaultSigningKeyProvider provider = h.CreateProvider();
        await Jwt.IssueAsync(await provider.GetSigningKeyAsync(CancellationToken.None));
        h.Vault.ResetCounts();

        for (int i = 0; i < 10; i++)
        {
            await Jwt.IssueAsync(await provider.GetSigningKeyAsync(CancellationToken.None));
        }

        Assert.That(h.Vault.Count("sign"), Is.EqualTo(10));
        Assert.That(h.Vault.Total, Is.EqualTo(10), "no key reads, no challenge round-trips on the hot path");
        Assert.That(h.Vault.Count("challenge"), Is.Zero);
    }

    [Test]
    public async Task Throttled429_IsRetriedAfterTheRetryAfterDelay_ThenSucceeds()
    {
        await using KeyVaultHarness h = await KeyVaultHarness.StartAsync();
        h.Vault.AddRsaVersion(KeyVaultHarness.KeyName);
        KeyVaultSigningKeyProvider provider = h.CreateProvider();
        ISigningKey key = await provider.GetSigningKeyAsync(CancellationToken.None);
        h.Vault.ResetCounts();
        h.Vault.EnqueueSignFault(429, retryAfter: "1");

        string token = await Jwt.IssueAsync(key);

        Assert.That(h.Vault.Count("sign"), Is.EqualTo(2));
        IReadOnlyList<long> arrivals = h.Vault.SignArrivals;
        // The client's own back-off is 10 ms here: a gap of about a second can only come from Retry-After.
        Assert.That(Stopwatch.GetElapsedTime(arrivals[0], arrivals[1]), Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(900)));
        Assert.That((await Jwt.ValidateAsync(token, await provider.GetPublicKeysAsync(CancellationToken.None))).IsValid, Is.True);
    }

    [Test]
    public async Task Throttled429_AskingForTooLong_FailsAtOnceAsTransient()
    {
        await using KeyVaultHarness h = await KeyVaultHarness.StartAsync();
        h.Vault.AddRsaVersion(KeyVaultHarness.KeyName);
        KeyVaultSigningKeyProvider provider = h.CreateProvider();
        ISigningKey key = await provider.GetSigningKeyAsync(CancellationToken.None);
        h.Vault.ResetCounts();
        h.Vault.EnqueueSignFault(429, retryAfter: "3600");

        var failure = await Assert.ThrowsAsync<KeyVaultSigningException>(async () => await Jwt.IssueAsync(key));

        Assert.That(failure!.IsTransient, Is.True);
        Assert.That(failure.Status, Is.EqualTo(429));
        Assert.That(failure.RetryAfter, Is.EqualTo(TimeSpan.FromHours(1)));
        Assert.That(h.Vault.Count("sign"), Is.EqualTo(1), "a Retry-After beyond the bound is not waited for");
    }

    [Test]
    public async Task Forbidden403_SurfacesAsANonTransientErrorNamingTheMissingRole()
    {
        await using KeyVaultHarness h = await KeyVaultHarness.StartAsync();
        h.Vault.AddRsaVersion(KeyVaultHarness.KeyName);
        KeyVaultSigningKeyProvider provider = h.CreateProvider();
        ISigningKey key = await provider.GetSigningKeyAsync(CancellationToken.None);
        h.Vault.Forbidden = true;

        var failure = await Assert.ThrowsAsync<KeyVaultSigningException>(async () => await Jwt.IssueAsync(key));

        Assert.That(failure!.IsTransient, Is.False);
        Assert.That(failure.Status, Is.EqualTo(403));
        Assert.That(failure.Message, Does.Contain("Key Vault Crypto User"));
        Assert.That(failure.InnerException, Is.InstanceOf<RequestFailedException>());
        Assert.That(h.Vault.Count("sign"), Is.EqualTo(1), "403 is not retried");
    }

    [Test]
    public async Task Forbidden403_AtStartUp_FailsTheFirstKeyRead()
    {
        await using KeyVaultHarness h = await KeyVaultHarness.StartAsync();
        h.Vault.AddRsaVersion(KeyVaultHarness.KeyName);
        h.Vault.Forbidden = true;
        KeyVaultSigningKeyProvider provider = h.CreateProvider();

        var failure = await Assert.ThrowsAsync<KeyVaultSigningException>(async () => await provider.GetSigningKeyAsync(CancellationToken.None));

        Assert.That(failure!.IsTransient, Is.False);
        Assert.That(failure.Message, Does.Contain("Key Vault Crypto User"));
    }

    [Test]
    public async Task SlowVault_EndsAfterTheBoundedTriesWithATransientError()
    {
        await using KeyVaultHarness h = await KeyVaultHarness.StartAsync();
        h.Vault.AddRsaVersion(KeyVaultHarness.KeyName);
        KeyVaultSigningKeyProvider provider = h.CreateProvider(
            configure: o => o.KeyVaultMaxRetries = 1,
            configureClient: o => o.Retry.NetworkTimeout = TimeSpan.FromSeconds(2));
        ISigningKey key = await provider.GetSigningKeyAsync(CancellationToken.None);
        h.Vault.ResetCounts();
        h.Vault.ResponseDelay = TimeSpan.FromMinutes(5);

        var failure = await Assert.ThrowsAsync<KeyVaultSigningException>(async () => await Jwt.IssueAsync(key));

        Assert.That(failure!.IsTransient, Is.True);
        Assert.That(h.Vault.Count("sign"), Is.EqualTo(2), "one try plus one retry, each abandoned at the network timeout");
    }

    [Test]
    public async Task VersionList_FollowsNextLinkAcrossPages()
    {
        await using KeyVaultHarness h = await KeyVaultHarness.StartAsync();
        string[] versions = [.. Enumerable.Range(0, 3).Select(_ => h.Vault.AddRsaVersion(KeyVaultHarness.KeyName))];
        KeyVaultKeysClient client = h.CreateClient();

        var listed = new List<string?>();
        await foreach (KeyVaultKeyItem item in client.GetPropertiesOfKeyVersionsAsync(KeyVaultHarness.KeyName))
        {
            listed.Add(item.Version);
        }

        Assert.That(listed, Is.EqualTo(versions));
        Assert.That(h.Vault.Count("list-versions"), Is.EqualTo(3));
    }

    [Test]
    public async Task RejectedToken401_SurfacesAsANonTransientError()
    {
        await using KeyVaultHarness h = await KeyVaultHarness.StartAsync();
        h.Vault.AddRsaVersion(KeyVaultHarness.KeyName);
        h.Credential = new FixedTokenCredential("a-token-the-vault-does-not-accept");
        KeyVaultSigningKeyProvider provider = h.CreateProvider();

        var failure = await Assert.ThrowsAsync<KeyVaultSigningException>(async () => await provider.GetSigningKeyAsync(CancellationToken.None));

        Assert.That(failure!.IsTransient, Is.False);
        Assert.That(failure.Status, Is.EqualTo(401));
        Assert.That(h.Vault.Count("challenge"), Is.EqualTo(2), "one challenge round-trip, one rejected token, no loop");
    }

    [Test]
    public async Task DueRefresh_NeverDelaysTheHotPath()
    {
        await using KeyVaultHarness h = await KeyVaultHarness.StartAsync();
        string version = h.Vault.AddRsaVersion(KeyVaultHarness.KeyName);
        KeyVaultSigningKeyProvider provider = h.CreateProvider(
            configure: o => o.KeyVaultMaxRetries = 0,
            configureClient: o => o.Retry.NetworkTimeout = TimeSpan.FromSeconds(2));
        await provider.GetSigningKeyAsync(CancellationToken.None);
        h.Vault.ResponseDelay = TimeSpan.FromMinutes(5);
        h.Time.Advance(TimeSpan.FromSeconds(61));

        ValueTask<ISigningKey> pending = provider.GetSigningKeyAsync(CancellationToken.None);

        Assert.That(pending.IsCompletedSuccessfully, Is.True, "the refresh runs in the background");
        Assert.That((await pending).KeyId, Is.EqualTo(version));
    }

    [Test]
    public async Task JwksStaysPublished_WhenARefreshFails()
    {
        await using KeyVaultHarness h = await KeyVaultHarness.StartAsync();
        string version = h.Vault.AddRsaVersion(KeyVaultHarness.KeyName);
        KeyVaultSigningKeyProvider provider = h.CreateProvider();
        await provider.GetPublicKeysAsync(CancellationToken.None);
        h.Vault.Forbidden = true;
        h.Time.Advance(TimeSpan.FromSeconds(61));

        IReadOnlyList<PublicJsonWebKey> published = await provider.GetPublicKeysAsync(CancellationToken.None);

        Assert.That(published.Select(k => k.KeyId), Is.EqualTo(new[] { version }));
        Assert.That(h.Vault.Count("list-versions"), Is.EqualTo(2), "the refresh was attempted");
    }

    [TestCase("ES256")]
    [TestCase("RS256")]
    public async Task SignatureOfTheWrongLength_IsRefused(string algorithm)
    {
        await using KeyVaultHarness h = await KeyVaultHarness.StartAsync();
        _ = algorithm == "ES256" ? h.Vault.AddEcVersion(KeyVaultHarness.KeyName, ECCurve.NamedCurves.nistP256) : h.Vault.AddRsaVersion(KeyVaultHarness.KeyName);
        KeyVaultSigningKeyProvider provider = h.CreateProvider();
        ISigningKey key = await provider.GetSigningKeyAsync(CancellationToken.None);
        h.Vault.TruncateSignatures = true;

        var failure = await Assert.ThrowsAsync<KeyVaultSigningException>(async () => await Jwt.IssueAsync(key));

        Assert.That(failure!.IsTransient, Is.False);
        Assert.That(failure.Message, Does.Contain(algorithm == "ES256" ? "63-byte ES256" : "255-byte RS256"));
    }

    [Test]
    public async Task NextLinkOutsideTheVault_IsNotFollowed()
    {
        await using KeyVaultHarness h = await KeyVaultHarness.StartAsync();
        h.Vault.AddRsaVersion(KeyVaultHarness.KeyName);
        h.Vault.AddRsaVersion(KeyVaultHarness.KeyName);
        h.Vault.NextLinkAuthority = "elsewhere.example";
        KeyVaultKeysClient client = h.CreateClient();

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await foreach (KeyVaultKeyItem _ in client.GetPropertiesOfKeyVersionsAsync(KeyVaultHarness.KeyName))
            {
            }
        });

        Assert.That(refused!.Message, Does.Contain("outside the vault"));
        Assert.That(h.Vault.Count("list-versions"), Is.EqualTo(1));
    }

    [Test]
    public async Task ServiceUnavailable503_IsRetriedWithBackOff_ThenSucceeds()
    {
        await using KeyVaultHarness h = await KeyVaultHarness.StartAsync();
        h.Vault.AddEcVersion(KeyVaultHarness.KeyName, ECCurve.NamedCurves.nistP384);
        KeyVaultSigningKeyProvider provider = h.CreateProvider();
        ISigningKey key = await provider.GetSigningKeyAsync(CancellationToken.None);
        h.Vault.ResetCounts();
        h.Vault.EnqueueSignFault(503);
        h.Vault.EnqueueSignFault(503);

        string token = await Jwt.IssueAsync(key);

        Assert.That(h.Vault.Count("sign"), Is.EqualTo(3), "two 503s, then the default two retries succeed");
        Assert.That((await Jwt.ValidateAsync(token, await provider.GetPublicKeysAsync(CancellationToken.None))).IsValid, Is.True);
    }

    [Test]
    public async Task ServiceUnavailable503_BeyondTheRetries_FailsAsTransient()
    {
        await using KeyVaultHarness h = await KeyVaultHarness.StartAsync();
        h.Vault.AddRsaVersion(KeyVaultHarness.KeyName);
        KeyVaultSigningKeyProvider provider = h.CreateProvider();
        ISigningKey key = await provider.GetSigningKeyAsync(CancellationToken.None);
        h.Vault.ResetCounts();
        for (int i = 0; i < 3; i++)
        {
            h.Vault.EnqueueSignFault(503);
        }

        var failure = await Assert.ThrowsAsync<KeyVaultSigningException>(async () => await Jwt.IssueAsync(key));

        Assert.That(failure!.IsTransient, Is.True);
        Assert.That(failure.Status, Is.EqualTo(503));
        Assert.That(h.Vault.Count("sign"), Is.EqualTo(3), "one try and Signing__KeyVaultMaxRetries (2) retries");
    }
}
