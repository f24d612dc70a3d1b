using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using TokenFunction.Signing;
using TokenFunction.Settings;
using TokenFunction.Telemetry;

namespace TokenFunction.Tests.Unit.Signing;

public class AccessTokenFactoryTests
{
    private const string Issuer = "https://login.example.com";
    private const string Audience = "https://api.example.com";
    private const int Lifetime = 900;

    [TestCase("RS256")]
    [TestCase("ES256")]
    public async Task CreateAsync_ProducesTokenThatIndependentLibraryValidatesAgainstPublishedJwk(string algorithm)
    {
        using var key = LocalSigningKey.FromPem(LocalSigningKey.GeneratePem(algorithm));
        var provider = new FixedKeyProvider(key);
        var token = await Factory(provider, new FakeTimeProvider(DateTimeOffset.UtcNow)).CreateAsync(Descriptor(), CancellationToken.None);
        var jwks = await PublishedJwks.FetchAsync(provider);

        var result = await Validate(token.Value, jwks);

        Assert.That(result.IsValid, Is.True, () => result.Exception?.ToString() ?? "invalid");
        var jwt = (JsonWebToken)result.SecurityToken;
        Assert.Multiple(() =>
        {
            Assert.That(jwt.Alg, Is.EqualTo(algorithm));
            Assert.That(jwt.Typ, Is.EqualTo("at+jwt"));
            Assert.That(jwt.Kid, Is.EqualTo(PublishedJwks.SingleKey(jwks).GetProperty("kid").GetString()));
            Assert.That(jwt.Kid, Is.EqualTo(key.KeyId));
        });
    }

    [Test]
    public async Task CreateAsync_TokenSignedByAnotherKeyFailsValidation()
    {
        using var signer = LocalSigningKey.FromPem(LocalSigningKey.GeneratePem("RS256"));
        using var other = LocalSigningKey.FromPem(LocalSigningKey.GeneratePem("RS256"));
        var token = await Factory(new FixedKeyProvider(signer), new FakeTimeProvider(DateTimeOffset.UtcNow)).CreateAsync(Descriptor(), CancellationToken.None);

        var result = await Validate(token.Value, await PublishedJwks.FetchAsync(new FixedKeyProvider(other)));

        Assert.That(result.IsValid, Is.False);
    }

    [Test]
    public async Task CreateAsync_TokenWithTamperedPayloadFailsValidation()
    {
        using var key = LocalSigningKey.FromPem(LocalSigningKey.GeneratePem("ES256"));
        var provider = new FixedKeyProvider(key);
        var token = await Factory(provider, new FakeTimeProvider(DateTimeOffset.UtcNow)).CreateAsync(Descriptor(), CancellationToken.None);
        var parts = token.Value.Split('.');
        var payload = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[1])).Replace("user-42", "admin-1", StringComparison.Ordinal);
        var tampered = $"{parts[0]}.{Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payload))}.{parts[2]}";

        var result = await Validate(tampered, await PublishedJwks.FetchAsync(provider));

        Assert.That(result.IsValid, Is.False);
    }

    [Test]
    public async Task CreateAsync_CarriesRfc9068ClaimsAndNoNbf()
    {
        using var key = LocalSigningKey.FromPem(LocalSigningKey.GeneratePem("RS256"));
        var token = await Factory(new FixedKeyProvider(key), new FakeTimeProvider(DateTimeOffset.UtcNow)).CreateAsync(Descriptor(), CancellationToken.None);

        var payload = Payload(token.Value);

        Assert.Multiple(() =>
        {
            Assert.That(payload.GetProperty("iss").GetString(), Is.EqualTo(Issuer));
            Assert.That(payload.GetProperty("sub").GetString(), Is.EqualTo("user-42"));
            Assert.That(payload.GetProperty("aud").GetString(), Is.EqualTo(Audience));
            Assert.That(payload.GetProperty("client_id").GetString(), Is.EqualTo("web-app"));
            Assert.That(payload.GetProperty("scope").GetString(), Is.EqualTo("read write"));
            Assert.That(payload.GetProperty("iat").ValueKind, Is.EqualTo(JsonValueKind.Number));
            Assert.That(payload.GetProperty("exp").ValueKind, Is.EqualTo(JsonValueKind.Number));
            Assert.That(payload.GetProperty("jti").GetString(), Is.EqualTo(token.TokenId).And.Not.Empty);
            Assert.That(payload.TryGetProperty("nbf", out _), Is.False, "nbf must not be sent");
            Assert.That(
                payload.EnumerateObject().Select(p => p.Name),
                Is.EquivalentTo(new[] { "iss", "sub", "aud", "client_id", "scope", "iat", "exp", "jti" }));
        });
    }

    [Test]
    public async Task CreateAsync_HeaderWritesTypLiterallyAsAtPlusJwt()
    {
        using var key = LocalSigningKey.FromPem(LocalSigningKey.GeneratePem("RS256"));
        var token = await Factory(new FixedKeyProvider(key), new FakeTimeProvider(DateTimeOffset.UtcNow)).CreateAsync(Descriptor(), CancellationToken.None);

        var header = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token.Value.Split('.')[0]));

        Assert.That(header, Does.Contain("\"typ\":\"at+jwt\""));
    }

    [Test]
    public async Task CreateAsync_IatIsNowAndExpIsIatPlusConfiguredLifetime()
    {
        var now = new DateTimeOffset(2030, 5, 17, 8, 30, 15, TimeSpan.Zero);
        using var key = LocalSigningKey.FromPem(LocalSigningKey.GeneratePem("ES256"));

        var token = await Factory(new FixedKeyProvider(key), new FakeTimeProvider(now)).CreateAsync(Descriptor(), CancellationToken.None);
        var payload = Payload(token.Value);

        Assert.Multiple(() =>
        {
            Assert.That(payload.GetProperty("iat").GetInt64(), Is.EqualTo(now.ToUnixTimeSeconds()));
            Assert.That(payload.GetProperty("exp").GetInt64() - payload.GetProperty("iat").GetInt64(), Is.EqualTo(Lifetime));
            Assert.That(token.ExpiresInSeconds, Is.EqualTo(Lifetime));
        });
    }

    [Test]
    public async Task CreateAsync_FollowsTheClock()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
        using var key = LocalSigningKey.FromPem(LocalSigningKey.GeneratePem("ES256"));
        var factory = Factory(new FixedKeyProvider(key), time);

        var first = Payload((await factory.CreateAsync(Descriptor(), CancellationToken.None)).Value);
        time.Advance(TimeSpan.FromMinutes(7));
        var second = Payload((await factory.CreateAsync(Descriptor(), CancellationToken.None)).Value);

        Assert.That(second.GetProperty("iat").GetInt64() - first.GetProperty("iat").GetInt64(), Is.EqualTo(420));
    }

    [Test]
    public async Task CreateAsync_GivesEachTokenItsOwnJti()
    {
        using var key = LocalSigningKey.FromPem(LocalSigningKey.GeneratePem("ES256"));
        var factory = Factory(new FixedKeyProvider(key), new FakeTimeProvider(DateTimeOffset.UtcNow));

        var ids = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            ids.Add((await factory.CreateAsync(Descriptor(), CancellationToken.None)).TokenId);
        }

        Assert.That(ids, Is.Unique);
    }

    [Test]
    public async Task CreateAsync_OmitsScopeClaimWhenNoScopeGranted()
    {
        using var key = LocalSigningKey.FromPem(LocalSigningKey.GeneratePem("ES256"));

        var token = await Factory(new FixedKeyProvider(key), new FakeTimeProvider(DateTimeOffset.UtcNow))
            .CreateAsync(new AccessTokenDescriptor("user-42", "web-app", string.Empty), CancellationToken.None);

        Assert.That(Payload(token.Value).TryGetProperty("scope", out _), Is.False);
    }

    [Test]
    public async Task CreateAsync_EscapesClaimValuesAsJson()
    {
        using var key = LocalSigningKey.FromPem(LocalSigningKey.GeneratePem("ES256"));
        const string subject = "a\"b\\c\u0001</script>é";

        var token = await Factory(new FixedKeyProvider(key), new FakeTimeProvider(DateTimeOffset.UtcNow))
            .CreateAsync(new AccessTokenDescriptor(subject, "web-app", "read"), CancellationToken.None);

        Assert.That(Payload(token.Value).GetProperty("sub").GetString(), Is.EqualTo(subject));
    }

    private static AccessTokenDescriptor Descriptor() => new("user-42", "web-app", "read write");

    private static AccessTokenFactory Factory(ISigningKeyProvider keys, TimeProvider time, AuditLog? audit = null) =>
        new(keys, Options.Create(new TokenOptions { Issuer = Issuer, Audience = Audience, AccessTokenLifetimeSeconds = Lifetime }), time, audit ?? AuditLog.None);

    private static async Task<TokenValidationResult> Validate(string token, string jwks)
    {
        var keySet = new JsonWebKeySet(jwks);
        return await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = Issuer,
            ValidAudience = Audience,
            ValidTypes = ["at+jwt"],
            IssuerSigningKeys = keySet.GetSigningKeys(),
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ValidateLifetime = true,
        });
    }

    private static JsonElement Payload(string token)
    {
        var parts = token.Split('.');
        Assert.That(parts, Has.Length.EqualTo(3));
        using var document = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
        return document.RootElement.Clone();
    }
}
