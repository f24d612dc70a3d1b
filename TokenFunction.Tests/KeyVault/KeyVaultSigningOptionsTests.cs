using System.Security.Cryptography;
using Azure.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TokenFunction.Hosting;
using TokenFunction.Signing;
using TokenFunction.Signing.KeyVault;
using TokenFunction.Settings;

namespace TokenFunction.Tests.KeyVault;

public class KeyVaultSigningOptionsTests
{
    private static SigningOptionsValidator InAzure() => new(name => name == SigningOptionsValidator.AzureInstanceVariable ? "a1b2c3" : null);

    private static SigningOptionsValidator Locally() => new(_ => null);

    [Test]
    public void InAzureWithoutKeyVaultKey_StartUpFailsSayingWhatToSet()
    {
        ValidateOptionsResult result = InAzure().Validate(null, new SigningOptions());

        Assert.That(result.Failed, Is.True);
        Assert.That(result.FailureMessage, Does.Contain("Signing__KeyVaultKeyId"));
        Assert.That(result.FailureMessage, Does.Contain("Signing__AllowLocalSignerInAzure=true"));
    }

    [Test]
    public void InAzureWithoutKeyVaultKey_StartsWhenTheLocalSignerIsExplicitlyAllowed()
    {
        ValidateOptionsResult result = InAzure().Validate(null, new SigningOptions { AllowLocalSignerInAzure = true });

        Assert.That(result.Succeeded, Is.True);
    }

    [Test]
    public void LocallyWithoutKeyVaultKey_Starts()
    {
        Assert.That(Locally().Validate(null, new SigningOptions()).Succeeded, Is.True);
    }

    [Test]
    public void InAzureWithKeyVaultKey_Starts()
    {
        var options = new SigningOptions { KeyVaultKeyId = new Uri("https://contoso.vault.azure.net/keys/token-signing") };

        Assert.That(InAzure().Validate(null, options).Succeeded, Is.True);
    }

    [TestCase("http://contoso.vault.azure.net/keys/token-signing", "https")]
    [TestCase("https://contoso.vault.azure.net/secrets/token-signing", "not a key identifier")]
    [TestCase("https://contoso.vault.azure.net/keys/token_signing", "not valid")]
    [TestCase("https://contoso.vault.azure.net/keys/a/b/c", "not a key identifier")]
    public void MalformedKeyVaultKeyId_FailsStartUpWithTheReason(string keyId, string reason)
    {
        ValidateOptionsResult result = Locally().Validate(null, new SigningOptions { KeyVaultKeyId = new Uri(keyId) });

        Assert.That(result.Failed, Is.True);
        Assert.That(result.FailureMessage, Does.Contain(reason));
    }

    [Test]
    public void UnsupportedRsaAlgorithm_FailsStartUp()
    {
        var options = new SigningOptions { KeyVaultKeyId = new Uri("https://contoso.vault.azure.net/keys/k"), RsaAlgorithm = "RS512" };

        Assert.That(Locally().Validate(null, options).FailureMessage, Does.Contain("Signing__RsaAlgorithm"));
    }

    [TestCase("https://contoso.vault.azure.net/keys/token-signing", "https://contoso.vault.azure.net/", "token-signing", null)]
    [TestCase("https://contoso.vault.azure.net/keys/token-signing/", "https://contoso.vault.azure.net/", "token-signing", null)]
    [TestCase("https://contoso.vault.usgovcloudapi.net/keys/k1/0123456789abcdef0123456789abcdef", "https://contoso.vault.usgovcloudapi.net/", "k1", "0123456789abcdef0123456789abcdef")]
    [TestCase("https://contoso.managedhsm.azure.net:443/keys/k1", "https://contoso.managedhsm.azure.net/", "k1", null)]
    public void KeyIdentifier_SplitsVaultNameAndVersion(string id, string vault, string name, string? version)
    {
        KeyVaultKeyIdentifier parsed = KeyVaultKeyIdentifier.Parse(new Uri(id));

        Assert.That(parsed.VaultUri, Is.EqualTo(new Uri(vault)));
        Assert.That(parsed.Name, Is.EqualTo(name));
        Assert.That(parsed.Version, Is.EqualTo(version));
    }

    [Test]
    public void NewSettings_AreListedAmongTheSettingNames()
    {
        Assert.That(SettingNames.All, Is.SupersetOf(new[]
        {
            "Signing__KeyRefreshSeconds", "Signing__PrePublicationSeconds", "Signing__RetiredKeyGraceSeconds", "Signing__RsaAlgorithm",
            "Signing__KeyVaultNetworkTimeoutSeconds", "Signing__KeyVaultMaxRetries", "Signing__KeyVaultMaxRetryAfterSeconds", "Signing__AllowLocalSignerInAzure",
        }));
    }

    [Test]
    public async Task AddKeyVaultSigning_RegistersAProviderThatSignsTokensTheJwksValidates()
    {
        await using KeyVaultHarness h = await KeyVaultHarness.StartAsync();
        string version = h.Vault.AddEcVersion(KeyVaultHarness.KeyName, ECCurve.NamedCurves.nistP256);
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [SettingNames.ConfigurationKey(SettingNames.SigningKeyVaultKeyId)] = new Uri(h.Vault.VaultUri, $"keys/{KeyVaultHarness.KeyName}").ToString(),
            [SettingNames.ConfigurationKey(SettingNames.TokenAccessTokenLifetimeSeconds)] = "600",
        }).Build();
        var services = new ServiceCollection()
            .AddSingleton(configuration)
            .AddLogging()
            .AddSingleton<TokenCredential>(h.Credential)
            .AddSingleton<TimeProvider>(h.Time)
            .AddKeyVaultSigning(options => options.Transport = h.Vault.CreateTransport());
        await using ServiceProvider container = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        var provider = container.GetRequiredService<ISigningKeyProvider>();
        ISigningKey key = await provider.GetSigningKeyAsync(CancellationToken.None);
        string token = await Jwt.IssueAsync(key);

        Assert.That(provider, Is.InstanceOf<KeyVaultSigningKeyProvider>());
        Assert.That(key.KeyId, Is.EqualTo(version));
        Assert.That((await Jwt.ValidateAsync(token, await provider.GetPublicKeysAsync(CancellationToken.None))).IsValid, Is.True);
        Assert.That(container.GetRequiredService<IOptions<SigningOptions>>().Value.KeyVaultKeyId, Is.Not.Null);
    }
}
