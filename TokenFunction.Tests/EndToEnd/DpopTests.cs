using System.Net;
using System.Text.Json;
using Duende.IdentityModel.Client;
using Microsoft.IdentityModel.JsonWebTokens;
using TokenFunction.Functions;
using TokenFunction.Protocol;
using TokenFunction.Tests.Infrastructure;

namespace TokenFunction.Tests.EndToEnd;

/// <summary>
/// DPoP (RFC 9449) at the token endpoint, over real HTTP with proofs made by Microsoft.IdentityModel: bound access
/// tokens (cnf.jkt, token_type DPoP) on every grant, public clients' refresh tokens bound to the key, every check of a
/// proof, single use of a proof, codes bound by the authorize step (dpop_jkt), clients that require DPoP.
/// </summary>
public sealed class DpopTests : EndToEndTest
{
    /// <summary>The URL a proof names: the token endpoint under the issuer, whatever address the request reached.</summary>
    private static readonly Uri Htu = new($"{ServiceHost.Issuer}/{Routes.Token}");

    [TestCase("ES256")]
    [TestCase("PS256")]
    [TestCase("RS256")]
    public async Task CodeExchangeWithAProof_IssuesADpopTokenWhoseCnfJktIsTheLibrarysThumbprintOfTheProofKey(string algorithm)
    {
        using var key = DpopKey.For(algorithm);
        var client = await Clients.AddPublicAsync(grantTypes: TestClients.WithRefreshTokens);

        var response = await RedeemWithProofAsync(client, await Clients.IssueCodeAsync(client.ClientId), key.Proof(Htu, DateTimeOffset.UtcNow));

        Assert.That(response.IsError, Is.False, response.Raw);
        var validation = await JwtValidation.ValidateAsync(Http, Host.JwksUri, response.AccessToken!, ServiceHost.Issuer, ServiceHost.Audience);
        Assert.Multiple(() =>
        {
            Assert.That(validation.IsValid, Is.True, validation.Exception?.Message);
            Assert.That(response.TokenType, Is.EqualTo("DPoP"));
            Assert.That(JktOf(response.AccessToken!), Is.EqualTo(key.Thumbprint));
        });
    }

    [Test]
    public async Task CodeExchangeWithoutAProof_IssuesABearerTokenWithoutCnf()
    {
        var client = await Clients.AddPublicAsync();

        var response = await RedeemWithProofAsync(client, await Clients.IssueCodeAsync(client.ClientId), proof: null);

        Assert.That(response.IsError, Is.False, response.Raw);
        Assert.Multiple(() =>
        {
            Assert.That(response.TokenType, Is.EqualTo("Bearer"));
            Assert.That(JktOf(response.AccessToken!), Is.Null);
        });
    }

    [Test]
    public async Task PublicClientsRefreshToken_IsBoundToTheProofKey_RefusedWithoutItOrWithAnother_AndRefreshedAndReboundWithIt()
    {
        using var key = DpopKey.Ec();
        using var other = DpopKey.Ec();
        var client = await Clients.AddPublicAsync(grantTypes: TestClients.WithRefreshTokens);
        var redeemed = await RedeemWithProofAsync(client, await Clients.IssueCodeAsync(client.ClientId), key.Proof(Htu, DateTimeOffset.UtcNow));
        Assert.That(redeemed.RefreshToken, Is.Not.Null, redeemed.Raw);

        var withoutProof = await RefreshAsync(client, redeemed.RefreshToken!, proof: null);
        var withOtherKey = await RefreshAsync(client, redeemed.RefreshToken!, other.Proof(Htu, DateTimeOffset.UtcNow));
        var withKey = await RefreshAsync(client, redeemed.RefreshToken!, key.Proof(Htu, DateTimeOffset.UtcNow));
        Assert.That(withKey.IsError, Is.False, withKey.Raw);
        var successorWithoutProof = await RefreshAsync(client, withKey.RefreshToken!, proof: null);

        Assert.Multiple(() =>
        {
            Assert.That(withoutProof.Error, Is.EqualTo(OAuthErrorCodes.InvalidGrant), withoutProof.Raw);
            Assert.That(withOtherKey.Error, Is.EqualTo(OAuthErrorCodes.InvalidGrant), withOtherKey.Raw);
            Assert.That(withKey.TokenType, Is.EqualTo("DPoP"));
            Assert.That(JktOf(withKey.AccessToken!), Is.EqualTo(key.Thumbprint), "the new access token is bound again");
            Assert.That(successorWithoutProof.Error, Is.EqualTo(OAuthErrorCodes.InvalidGrant), "the successor keeps the binding");
        });
    }

    [Test]
    public async Task ConfidentialClientsRefreshToken_IsNotBound_ButAProofOnTheRefreshBindsItsAccessToken()
    {
        using var key = DpopKey.Ec();
        using var other = DpopKey.Rsa();
        var client = await Clients.AddConfidentialAsync(grantTypes: TestClients.WithRefreshTokens);
        var redeemed = await RedeemWithProofAsync(client, await Clients.IssueCodeAsync(client.ClientId), key.Proof(Htu, DateTimeOffset.UtcNow));
        Assert.That(redeemed.TokenType, Is.EqualTo("DPoP"), redeemed.Raw);

        var withoutProof = await RefreshAsync(client, redeemed.RefreshToken!, proof: null);
        var withOtherKey = await RefreshAsync(client, withoutProof.RefreshToken!, other.Proof(Htu, DateTimeOffset.UtcNow));

        Assert.Multiple(() =>
        {
            Assert.That(withoutProof.IsError, Is.False, withoutProof.Raw);
            Assert.That(withoutProof.TokenType, Is.EqualTo("Bearer"));
            Assert.That(JktOf(withoutProof.AccessToken!), Is.Null);
            Assert.That(withOtherKey.IsError, Is.False, withOtherKey.Raw);
            Assert.That(withOtherKey.TokenType, Is.EqualTo("DPoP"));
            Assert.That(JktOf(withOtherKey.AccessToken!), Is.EqualTo(other.Thumbprint));
        });
    }

    [Test]
    public async Task ClientCredentialsWithAProof_IssuesABoundToken()
    {
        using var key = DpopKey.Ec();
        var client = await Clients.AddConfidentialAsync(grantTypes: new HashSet<string> { GrantTypeNames.ClientCredentials });

        var response = await ClientCredentialsAsync(client, key.Proof(Htu, DateTimeOffset.UtcNow));

        Assert.That(response.IsError, Is.False, response.Raw);
        var validation = await JwtValidation.ValidateAsync(Http, Host.JwksUri, response.AccessToken!, ServiceHost.Issuer, ServiceHost.Audience);
        Assert.Multiple(() =>
        {
            Assert.That(validation.IsValid, Is.True, validation.Exception?.Message);
            Assert.That(response.TokenType, Is.EqualTo("DPoP"));
            Assert.That(JktOf(response.AccessToken!), Is.EqualTo(key.Thumbprint));
        });
    }

    [TestCaseSource(nameof(BrokenProofs))]
    public async Task ABrokenProof_IsInvalidDpopProof_AndIssuesNothing(Func<DpopKey, string[]> proofs)
    {
        using var key = DpopKey.Ec();
        var client = await Clients.AddConfidentialAsync(grantTypes: new HashSet<string> { GrantTypeNames.ClientCredentials });

        var response = await ClientCredentialsAsync(client, proofs(key));

        await OAuthAssert.ErrorAsync(response.HttpResponse!, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidDpopProof);
    }

    private static IEnumerable<TestCaseData> BrokenProofs()
    {
        var now = () => DateTimeOffset.UtcNow;
        yield return Case("WrongTyp", k => [k.Proof(Htu, now(), new ProofShape { Type = "JWT" })]);
        yield return Case("AnotherTyp", k => [k.Proof(Htu, now(), new ProofShape { Type = "at+jwt" })]);
        yield return Case("AlgNone", k => [k.Proof(Htu, now(), new ProofShape { AlgNone = true })]);
        yield return Case("Hs256", k => [k.Proof(Htu, now(), new ProofShape { Hmac = true })]);
        yield return Case("AlgNotConfigured", _ =>
        {
            using var es384 = DpopKey.Ec(Microsoft.IdentityModel.Tokens.SecurityAlgorithms.EcdsaSha384);
            return [es384.Proof(Htu, now())];
        });
        yield return Case("PrivateJwk", k => [k.Proof(Htu, now(), new ProofShape { PrivateJwk = true })]);
        yield return Case("BadSignature", k =>
        {
            using var thief = DpopKey.Ec();
            return [k.Proof(Htu, now(), new ProofShape { SignedBy = thief })];
        });
        yield return Case("WrongHtm", k => [k.Proof(Htu, now(), new ProofShape { Method = "GET" })]);
        yield return Case("WrongHtu", k => [k.Proof(Htu, now(), new ProofShape { Target = $"{ServiceHost.Issuer}/{Routes.Revocation}" })]);
        yield return Case("HtuOfAnotherHost", k => [k.Proof(Htu, now(), new ProofShape { Target = $"https://evil.example.test/{Routes.Token}" })]);
        yield return Case("StaleIat", k => [k.Proof(Htu, now(), new ProofShape { Age = TimeSpan.FromMinutes(5) })]);
        yield return Case("FutureIat", k => [k.Proof(Htu, now(), new ProofShape { Age = TimeSpan.FromMinutes(-2) })]);
        yield return Case("MissingJti", k => [k.Proof(Htu, now(), new ProofShape { WithJwtId = false })]);
        yield return Case("TwoDpopHeaders", k => [k.Proof(Htu, now()), k.Proof(Htu, now())]);
        yield return Case("NotAJws", _ => ["not-a-proof"]);
    }

    private static TestCaseData Case(string name, Func<DpopKey, string[]> proofs) =>
        new TestCaseData(proofs).SetName($"AProofWith{name}_IsInvalidDpopProof");

    [Test]
    public async Task AProofWhoseHtuHasAQueryAndFragment_IsAccepted()
    {
        using var key = DpopKey.Ec();
        var client = await Clients.AddConfidentialAsync(grantTypes: new HashSet<string> { GrantTypeNames.ClientCredentials });

        var response = await ClientCredentialsAsync(client, key.Proof(Htu, DateTimeOffset.UtcNow, new ProofShape { Target = Htu.AbsoluteUri + "?x=1#frag" }));

        Assert.That(response.IsError, Is.False, response.Raw);
        Assert.That(JktOf(response.AccessToken!), Is.EqualTo(key.Thumbprint));
    }

    [Test]
    public async Task AReplayedProof_IsRefused()
    {
        using var key = DpopKey.Ec();
        var client = await Clients.AddConfidentialAsync(grantTypes: new HashSet<string> { GrantTypeNames.ClientCredentials });
        var proof = key.Proof(Htu, DateTimeOffset.UtcNow);

        var first = await ClientCredentialsAsync(client, proof);
        var replay = await ClientCredentialsAsync(client, proof);

        Assert.That(first.IsError, Is.False, first.Raw);
        await OAuthAssert.ErrorAsync(replay.HttpResponse!, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidDpopProof);
    }

    [Test]
    public async Task AClientRegisteredWithDpopBoundAccessTokens_IsRefusedWithoutAProof_AndServedWithOne()
    {
        using var key = DpopKey.Ec();
        var client = await Clients.AddPublicAsync(requireDpop: true);

        var withoutProof = await RedeemWithProofAsync(client, await Clients.IssueCodeAsync(client.ClientId), proof: null);
        var withProof = await RedeemWithProofAsync(client, await Clients.IssueCodeAsync(client.ClientId), key.Proof(Htu, DateTimeOffset.UtcNow));

        await OAuthAssert.ErrorAsync(withoutProof.HttpResponse!, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidDpopProof);
        Assert.That(withProof.TokenType, Is.EqualTo("DPoP"), withProof.Raw);
    }

    [Test]
    public async Task ACodeBoundByTheAuthorizeStep_IsRedeemedOnlyWithAProofOfThatKey_AndStaysRedeemableUntilThen()
    {
        using var key = DpopKey.Ec();
        using var other = DpopKey.Ec();
        var client = await Clients.AddPublicAsync();
        var code = await Clients.IssueCodeAsync(client.ClientId, dpopJkt: key.Thumbprint);

        var withoutProof = await RedeemWithProofAsync(client, code, proof: null);
        var withOtherKey = await RedeemWithProofAsync(client, code, other.Proof(Htu, DateTimeOffset.UtcNow));
        var withKey = await RedeemWithProofAsync(client, code, key.Proof(Htu, DateTimeOffset.UtcNow));

        Assert.Multiple(() =>
        {
            Assert.That(withoutProof.Error, Is.EqualTo(OAuthErrorCodes.InvalidGrant), withoutProof.Raw);
            Assert.That(withOtherKey.Error, Is.EqualTo(OAuthErrorCodes.InvalidGrant), withOtherKey.Raw);
            Assert.That(withKey.IsError, Is.False, withKey.Raw);
            Assert.That(JktOf(withKey.AccessToken!), Is.EqualTo(key.Thumbprint));
        });
    }

    [Test]
    public async Task Metadata_AdvertisesTheProofAlgorithms()
    {
        using var response = await Http.GetAsync(new Uri(Host.BaseAddress, "/" + Routes.Metadata));
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.That(document.RootElement.GetProperty("dpop_signing_alg_values_supported").EnumerateArray().Select(e => e.GetString()),
            Is.EqualTo(new[] { "ES256", "PS256", "RS256" }));
    }

    private Task<TokenResponse> RedeemWithProofAsync(RegisteredClient client, IssuedCode code, params string[]? proof)
    {
        var request = new AuthorizationCodeTokenRequest
        {
            Address = Host.TokenEndpoint.ToString(),
            ClientId = client.ClientId,
            ClientSecret = client.Secret,
            ClientCredentialStyle = client.Secret is null ? ClientCredentialStyle.PostBody : ClientCredentialStyle.AuthorizationHeader,
            Code = code.Code,
            RedirectUri = TestClients.RedirectUri,
            CodeVerifier = code.Verifier,
        };
        AddProofs(request, proof);
        return Http.RequestAuthorizationCodeTokenAsync(request);
    }

    private Task<TokenResponse> RefreshAsync(RegisteredClient client, string refreshToken, params string[]? proof)
    {
        var request = new RefreshTokenRequest
        {
            Address = Host.TokenEndpoint.ToString(),
            ClientId = client.ClientId,
            ClientSecret = client.Secret,
            ClientCredentialStyle = client.Secret is null ? ClientCredentialStyle.PostBody : ClientCredentialStyle.AuthorizationHeader,
            RefreshToken = refreshToken,
        };
        AddProofs(request, proof);
        return Http.RequestRefreshTokenAsync(request);
    }

    private Task<TokenResponse> ClientCredentialsAsync(RegisteredClient client, params string[] proofs)
    {
        var request = new ClientCredentialsTokenRequest { Address = Host.TokenEndpoint.ToString(), ClientId = client.ClientId, ClientSecret = client.Secret };
        AddProofs(request, proofs);
        return Http.RequestClientCredentialsTokenAsync(request);
    }

    /// <summary>Each proof as its own DPoP header line (two of them: two header fields).</summary>
    private static void AddProofs(ProtocolRequest request, string[]? proofs)
    {
        foreach (var proof in (proofs ?? []).Where(p => p is not null))
        {
            request.Headers.TryAddWithoutValidation("DPoP", proof);
        }
    }

    /// <summary>The access token's cnf.jkt; null when it has no cnf.</summary>
    private static string? JktOf(string accessToken)
    {
        var payload = new JsonWebToken(accessToken).EncodedPayload;
        using var document = JsonDocument.Parse(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Decode(payload));
        return document.RootElement.TryGetProperty("cnf", out var cnf) ? cnf.GetProperty("jkt").GetString() : null;
    }
}
