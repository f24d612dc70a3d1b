using TokenFunction.Clients;
using TokenFunction.Protocol;

namespace TokenFunction.Tests.Unit.Clients;

/// <summary>The registration rules of the domain, as tokenctl (and any registration endpoint) applies them.</summary>
public sealed class ClientRegistrationRulesTests
{
    [Test]
    public void AWellFormedRegistration_BreaksNoRule()
    {
        Assert.That(ClientRegistrationRules.Check(Client(), newSecret: null, allowLoopbackJwksUri: false), Is.Empty);
    }

    [TestCaseSource(nameof(Broken))]
    public void ABrokenRegistration_NamesTheRuleItBreaks(OAuthClient client, RegistrationRule rule)
    {
        Assert.That(ClientRegistrationRules.Check(client, newSecret: null, allowLoopbackJwksUri: false).Select(p => p.Rule), Does.Contain(rule));
    }

    [TestCase("urn:example:client")]
    [TestCase("a:b")]
    [TestCase("https://app.example.com/client.json")]
    [TestCase("with space and !\"#$%&'()*+,/;<=>?@[\\]^`{|}")]
    public void AClientIdOfAnyVschar_BreaksNoRule(string clientId)
    {
        Assert.That(ClientRegistrationRules.Check(Client() with { ClientId = clientId }, newSecret: null, allowLoopbackJwksUri: false), Is.Empty);
    }

    [Test]
    public void AGuessableSecret_IsRefused_AndAGeneratedOneIsNot()
    {
        var confidential = Client() with { SecretHash = ClientSecretHasher.Hash("x") };

        Assert.Multiple(() =>
        {
            Assert.That(ClientRegistrationRules.Check(confidential, new string('a', 40), false).Select(p => p.Rule), Is.EqualTo(new[] { RegistrationRule.WeakSecret }));
            Assert.That(ClientRegistrationRules.Check(confidential, ClientSecretHasher.GenerateSecret(), false), Is.Empty);
        });
    }

    [Test]
    public void ALoopbackJwksUri_IsAllowedOnlyWhenTheSettingAllowsIt()
    {
        var client = Client() with { JwksUri = new Uri("http://127.0.0.1:5000/jwks") };

        Assert.Multiple(() =>
        {
            Assert.That(ClientRegistrationRules.Check(client, null, allowLoopbackJwksUri: false).Select(p => p.Rule), Is.EqualTo(new[] { RegistrationRule.JwksUri }));
            Assert.That(ClientRegistrationRules.Check(client, null, allowLoopbackJwksUri: true), Is.Empty);
        });
    }

    private static IEnumerable<TestCaseData> Broken()
    {
        yield return Case(Client() with { ClientId = "has\ttab" }, RegistrationRule.ClientId, "WithATab");
        yield return Case(Client() with { ClientId = "new\nline" }, RegistrationRule.ClientId, "WithALineBreak");
        yield return Case(Client() with { ClientId = "caf\u00e9" }, RegistrationRule.ClientId, "WithNonAscii");
        yield return Case(Client() with { ClientId = string.Empty }, RegistrationRule.ClientId, "Empty");
        yield return Case(Client() with { ClientId = new string('x', OAuthClient.MaxIdLength + 1) }, RegistrationRule.ClientId, "Of256Characters");
        yield return Case(Client() with { Jwks = "{}", JwksUri = new Uri("https://keys.example.test/jwks") }, RegistrationRule.OneCredential);
        yield return Case(Client() with { Jwks = "{\"keys\":[]}" }, RegistrationRule.InlineJwksUnusable);
        yield return Case(Client() with { Jwks = new string(' ', OAuthClient.MaxInlineJwksLength + 1) }, RegistrationRule.InlineJwksTooLong);
        yield return Case(Client() with { JwksUri = new Uri("https://10.0.0.1/jwks") }, RegistrationRule.JwksUri);
        yield return Case(Client() with { AllowedGrantTypes = Grants(GrantTypeNames.AuthorizationCode, "password") }, RegistrationRule.UnknownGrantType);
        yield return Case(Client() with { AllowedGrantTypes = Grants(GrantTypeNames.RefreshToken), RedirectUris = [] }, RegistrationRule.RefreshTokenNeedsAuthorizationCode);
        yield return Case(Client() with { AllowedGrantTypes = Grants(GrantTypeNames.ClientCredentials), RedirectUris = [] }, RegistrationRule.ClientCredentialsNeedConfidentialClient);
        yield return Case(Client() with { RedirectUris = [] }, RegistrationRule.RedirectUriRequired);
        yield return Case(Client() with { AllowedGrantTypes = Grants(GrantTypeNames.ClientCredentials), SecretHash = "h" }, RegistrationRule.RedirectUriWithoutAuthorizationCode);
        yield return Case(Client() with { AllowedGrantTypes = Grants(GrantTypeNames.ClientCredentials), SecretHash = "h", RedirectUris = [], AllowPlainPkce = true }, RegistrationRule.PlainPkceWithoutAuthorizationCode);
        yield return Case(Client() with { RedirectUris = ["/callback"] }, RegistrationRule.RedirectUri);
        yield return Case(Client() with { AllowedResources = Grants("https://api.example.test/#part") }, RegistrationRule.Resource);
        yield return Case(Client() with { AllowedScopes = Grants("quote\"d") }, RegistrationRule.Scope);
        yield return Case(Client() with { RefreshIdleLifetimeSeconds = 30 }, RegistrationRule.RefreshLifetime);
        yield return Case(Client() with { AllowedGrantTypes = Grants(GrantTypeNames.AuthorizationCode), RefreshAbsoluteLifetimeSeconds = 600 }, RegistrationRule.RefreshLifetimeWithoutRefreshToken);
    }

    private static TestCaseData Case(OAuthClient client, RegistrationRule rule, string how = "") => new TestCaseData(client, rule).SetName($"Registration_Breaking{rule}{how}_IsRefused");

    private static HashSet<string> Grants(params string[] names) => names.ToHashSet(StringComparer.Ordinal);

    private static OAuthClient Client() => new()
    {
        ClientId = "app",
        RedirectUris = ["https://app.example.test/cb"],
        AllowedScopes = Grants("orders:read"),
        AllowedGrantTypes = Grants(GrantTypeNames.AuthorizationCode, GrantTypeNames.RefreshToken),
    };
}
