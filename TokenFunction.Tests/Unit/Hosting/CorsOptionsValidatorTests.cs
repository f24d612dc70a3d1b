using Microsoft.Extensions.Options;
using TokenFunction.Hosting;
using TokenFunction.Settings;

namespace TokenFunction.Tests.Unit.Hosting;

public class CorsOptionsValidatorTests
{
    [TestCase(null)]
    [TestCase("")]
    [TestCase("https://spa.example.com")]
    [TestCase("https://spa.example.com:8443, http://localhost:3000 ,http://127.0.0.1:5173")]
    public void Validate_AcceptsNoneOrExactOrigins(string? origins)
    {
        var result = Validate(origins);

        Assert.That(result.Succeeded, Is.True, result.FailureMessage);
    }

    [Test]
    public void Origins_AreTrimmedAndEmptyEntriesDropped()
    {
        var options = new CorsOptions { AllowedOrigins = " https://a.example.com ,, http://localhost:3000," };

        Assert.That(options.Origins(), Is.EqualTo(new[] { "https://a.example.com", "http://localhost:3000" }));
    }

    [TestCase("*")]
    [TestCase("https://*.example.com")]
    [TestCase("https://spa.example.com,*")]
    public void Validate_RefusesAWildcardNamingTheSetting(string origins)
    {
        var result = Validate(origins);

        Assert.That(result.Failed, Is.True);
        Assert.That(result.FailureMessage, Does.Contain("Cors__AllowedOrigins").And.Contain("wildcard"));
    }

    [TestCase("https://spa.example.com/")]
    [TestCase("https://spa.example.com/app")]
    [TestCase("http://spa.example.com")]
    [TestCase("spa.example.com")]
    [TestCase("https://user@spa.example.com")]
    [TestCase("https://spa.example.com?x=1")]
    [TestCase("null")]
    public void Validate_RefusesWhatIsNotAnHttpsOrigin(string origins)
    {
        var result = Validate(origins);

        Assert.That(result.Failed, Is.True);
        Assert.That(result.FailureMessage, Does.Contain("Cors__AllowedOrigins").And.Contain(origins));
    }

    private static ValidateOptionsResult Validate(string? origins) =>
        new CorsOptionsValidator().Validate(name: null, new CorsOptions { AllowedOrigins = origins });
}
