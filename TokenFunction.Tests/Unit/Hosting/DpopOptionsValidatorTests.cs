using TokenFunction.Hosting;
using TokenFunction.Settings;

namespace TokenFunction.Tests.Unit.Hosting;

public sealed class DpopOptionsValidatorTests
{
    [Test]
    public void TheDefaults_AreValid_AndNoncesAreOff() =>
        Assert.That(new DpopOptionsValidator().Validate(null, new DpopOptions()).Succeeded, Is.True);

    [TestCase("none", "none")]
    [TestCase("ES256,HS256", "HS256")]
    [TestCase(" , ", "at least one")]
    public void AlgorithmsOtherThanAsymmetricOnes_AreRefusedNamingTheSetting(string algorithms, string named)
    {
        var result = new DpopOptionsValidator().Validate(null, new DpopOptions { SigningAlgorithms = algorithms });

        Assert.Multiple(() =>
        {
            Assert.That(result.Failed, Is.True);
            Assert.That(result.FailureMessage, Does.Contain(SettingNames.DpopSigningAlgorithms).And.Contain(named));
        });
    }

    [TestCase(null)]
    [TestCase("c2hvcnQ=")]
    public void RequiringNonces_WithoutAKeyOf32Bytes_IsRefusedNamingTheKeySetting(string? key)
    {
        var result = new DpopOptionsValidator().Validate(null, new DpopOptions { RequireNonce = true, NonceKey = key });

        Assert.That(result.FailureMessage, Does.Contain(SettingNames.DpopNonceKey));
    }

    [Test]
    public void ProofAgeAndSkew_OutOfBounds_AreRefused()
    {
        var result = new DpopOptionsValidator().Validate(null, new DpopOptions { ProofMaxAgeSeconds = 0, ClockSkewSeconds = 3600 });

        Assert.That(result.FailureMessage, Does.Contain(SettingNames.DpopProofMaxAgeSeconds).And.Contain(SettingNames.DpopClockSkewSeconds));
    }
}
