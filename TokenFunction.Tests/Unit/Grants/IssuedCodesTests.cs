using System.Buffers.Text;
using System.Text;
using TokenFunction.Grants;
using TokenFunction.Protocol;

namespace TokenFunction.Tests.Unit.Grants;

/// <summary>
/// The codes this service issues carry their grant, and their grant id is the hash of the code without its version: an
/// altered grant names another (absent) record, and a code of any other form keeps the documented SHA-256(code).
/// </summary>
public sealed class IssuedCodesTests
{
    private static readonly DateTimeOffset s_now = new(2026, 12, 2, 19, 0, 0, TimeSpan.Zero);

    private static AuthorizationGrant Grant(string? challenge = "challenge-value", string? method = Pkce.S256) => new()
    {
        GrantId = string.Empty,
        ClientId = "client-1",
        RedirectUri = "https://app.example.test/callback",
        Subject = "alice",
        Scope = "orders:read",
        Resources = ["https://orders.example.test/", "https://billing.example.test/"],
        IssuedAt = s_now,
        ExpiresAt = s_now.AddMinutes(5),
        CodeChallenge = challenge,
        CodeChallengeMethod = method,
        DpopJkt = "thumbprint",
    };

    [Test]
    public void IssuedCode_CarriesItsGrantAndVersion_AndItsGrantIdIsTheHashOfTheCodeWithoutTheVersion()
    {
        var grant = Grant();
        var stem = IssuedCodes.Stem(IssuedCodes.NewSecret(), grant);
        var code = IssuedCodes.Complete(stem, new ConcurrencyToken("W/\"datetime'2026-12-02T19%3A00%3A00.1234567Z'\""));

        Assert.That(IssuedCodes.TryRead(code, out var issued), Is.True);
        Assert.Multiple(() =>
        {
            Assert.That(issued!.GrantId, Is.EqualTo(Base64UrlSha256.Of(stem)).And.EqualTo(GrantKeys.ForCode(code)));
            Assert.That(issued.Version.Value, Is.EqualTo("W/\"datetime'2026-12-02T19%3A00%3A00.1234567Z'\""));
            Assert.That(issued with { GrantId = string.Empty, Version = default, Resources = grant.Resources }, Is.EqualTo(grant));
            Assert.That(issued.Resources, Is.EqualTo(grant.Resources));
            Assert.That(code, Does.Match("^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$"), "URL-safe as it stands");
        });
    }

    [Test]
    public void IssuedCodeWithoutPkceOrResources_RoundTrips()
    {
        var grant = Grant(challenge: null, method: null) with { Resources = [], DpopJkt = null, Scope = string.Empty };
        var code = IssuedCodes.Complete(IssuedCodes.Stem(IssuedCodes.NewSecret(), grant), new ConcurrencyToken("7"));

        Assert.That(IssuedCodes.TryRead(code, out var issued), Is.True);
        Assert.That(issued! with { GrantId = string.Empty, Version = default, Resources = grant.Resources }, Is.EqualTo(grant));
    }

    [Test]
    public void AlteringTheCarriedGrant_NamesAnotherGrantId()
    {
        var stem = IssuedCodes.Stem(IssuedCodes.NewSecret(), Grant());
        var code = IssuedCodes.Complete(stem, new ConcurrencyToken("7"));
        var parts = code.Split('.');
        var json = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[1])).Replace("\"alice\"", "\"admin\"", StringComparison.Ordinal);
        var altered = string.Join('.', parts[0], Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json)), parts[2]);

        Assert.That(IssuedCodes.TryRead(altered, out var read), Is.True);
        Assert.Multiple(() =>
        {
            Assert.That(read!.Subject, Is.EqualTo("admin"));
            Assert.That(read.GrantId, Is.Not.EqualTo(GrantKeys.ForCode(code)), "no record was stored under the altered grant");
        });
    }

    [Test]
    public void AlteringTheVersion_KeepsTheGrantId_SoTheConditionalWriteIsWhatFails()
    {
        var stem = IssuedCodes.Stem(IssuedCodes.NewSecret(), Grant());

        Assert.That(GrantKeys.ForCode(IssuedCodes.Complete(stem, new ConcurrencyToken("8"))), Is.EqualTo(GrantKeys.ForCode(IssuedCodes.Complete(stem, new ConcurrencyToken("7")))));
    }

    [TestCase("Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmE", TestName = "ARandomCode")]
    [TestCase("Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmE.eyJhIjoxfQ.Nw", TestName = "ACodeWithTwoDotsWhoseMiddleIsNotAGrant")]
    [TestCase("short.eyJ2IjoxLCJjaWQiOiJjIn0.Nw", TestName = "ACodeWhoseSecretIsNotThirtyTwoBytes")]
    [TestCase("this-code-was-never-issued", TestName = "AnythingElse")]
    public void CodeOfAnotherForm_CarriesNoGrant_AndItsGrantIdIsTheHashOfTheWholeCode(string code)
    {
        Assert.Multiple(() =>
        {
            Assert.That(IssuedCodes.TryRead(code, out _), Is.False);
            Assert.That(GrantKeys.ForCode(code), Is.EqualTo(Base64UrlSha256.Of(code)));
        });
    }

    [Test]
    public void StemWithoutAVersion_IsACodeJudgedByAReadOfItsHash()
    {
        var stem = IssuedCodes.Stem(IssuedCodes.NewSecret(), Grant());

        Assert.Multiple(() =>
        {
            Assert.That(IssuedCodes.Complete(stem, default), Is.EqualTo(stem));
            Assert.That(IssuedCodes.TryRead(stem, out _), Is.False);
            Assert.That(GrantKeys.ForCode(stem), Is.EqualTo(Base64UrlSha256.Of(stem)));
        });
    }

    [TestCase("{\"v\":1,\"cid\":\"c\"}", TestName = "AGrantMissingItsMembers")]
    [TestCase("{\"v\":1,\"cid\":\"c\",\"uri\":\"u\",\"sub\":\"s\",\"scp\":\"\",\"res\":[],\"iat\":1,\"exp\":2,\"cc\":\"x\"}", TestName = "AChallengeWithoutItsMethod")]
    [TestCase("{\"v\":1,\"cid\":\"c\",\"uri\":\"u\",\"sub\":\"s\",\"scp\":\"\",\"res\":[],\"iat\":1,\"exp\":2,\"cc\":\"x\",\"ccm\":\"S512\"}", TestName = "AnUnsupportedChallengeMethod")]
    [TestCase("{\"v\":1,\"cid\":\"c\",\"uri\":\"u\",\"sub\":\"s\",\"scp\":\"\",\"res\":[],\"iat\":1,\"exp\":2,\"new\":3}", TestName = "AMemberNotOfThisVersion")]
    [TestCase("{\"v\":1,\"cid\":\"c\",\"uri\":\"u\",\"sub\":\"s\",\"scp\":\"\",\"res\":[],\"iat\":\"1\",\"exp\":2}", TestName = "ATimeThatIsNotANumber")]
    [TestCase("{\"v\":1,\"cid\":\"c\",\"uri\":\"u\",\"sub\":\"s\",\"scp\":\"\",\"res\":[],\"iat\":-1,\"exp\":2}", TestName = "ATimeOutOfRange")]
    [TestCase("{\"v\":1,\"cid\":\"c\",\"uri\":\"u\",\"sub\":\"s\",\"scp\":\"\",\"res\":[],\"iat\":1,\"exp\":2", TestName = "TruncatedJson")]
    public void CodeWhoseCarriedGrantIsDamaged_CarriesNoGrant(string json)
    {
        var code = IssuedCodes.NewSecret() + "." + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json)) + ".Nw";

        Assert.That(IssuedCodes.TryRead(code, out _), Is.False);
    }
}
