using TokenFunction.Hosting;
using TokenFunction.Settings;

namespace TokenFunction.Tests.Unit.Hosting;

public class SigningOptionsValidatorTests
{
    [Test]
    public void Validate_AcceptsDefaults()
    {
        var result = Validate(new SigningOptions());

        Assert.That(result.Succeeded, Is.True, result.FailureMessage);
    }

    [TestCase("RS256")]
    [TestCase("ES256")]
    public void Validate_AcceptsSupportedLocalAlgorithms(string algorithm)
    {
        Assert.That(Validate(new SigningOptions { LocalKeyAlgorithm = algorithm }).Succeeded, Is.True);
    }

    [TestCase("HS256")]
    [TestCase("rs256")]
    [TestCase("ES384")]
    [TestCase("")]
    public void Validate_RefusesOtherLocalAlgorithmNamingTheSetting(string algorithm)
    {
        var result = Validate(new SigningOptions { LocalKeyAlgorithm = algorithm });

        Assert.Multiple(() =>
        {
            Assert.That(result.Failed, Is.True);
            Assert.That(result.FailureMessage, Does.Contain("Signing__LocalKeyAlgorithm").And.Contain("RS256").And.Contain("ES256"));
        });
    }

    [TestCase("")]
    [TestCase("  ")]
    public void Validate_RefusesEmptyLocalKeyPathNamingTheSettings(string path)
    {
        var result = Validate(new SigningOptions { LocalKeyPath = path });

        Assert.Multiple(() =>
        {
            Assert.That(result.Failed, Is.True);
            Assert.That(result.FailureMessage, Does.Contain("Signing__LocalKeyPath").And.Contain("Signing__KeyVaultKeyId"));
        });
    }

    [Test]
    public void Validate_IgnoresLocalKeySettingsWhenKeyVaultKeyIsSet()
    {
        var result = Validate(new SigningOptions
        {
            KeyVaultKeyId = new Uri("https://myvault.vault.azure.net/keys/token-signing"),
            LocalKeyAlgorithm = "HS256",
            LocalKeyPath = string.Empty,
        });

        Assert.That(result.Succeeded, Is.True, result.FailureMessage);
    }

    private static Microsoft.Extensions.Options.ValidateOptionsResult Validate(SigningOptions options) =>
        new SigningOptionsValidator().Validate(name: null, options);
}
