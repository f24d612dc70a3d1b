using System.Net;
using Duende.IdentityModel;
using Duende.IdentityModel.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using TokenFunction.Clients.Assertions;
using TokenFunction.Functions;
using TokenFunction.Protocol;
using TokenFunction.Storage;
using TokenFunction.Tests.Infrastructure;

namespace TokenFunction.Tests.EndToEnd;

/// <summary>
/// RFC 7523 client authentication with keys registered inline: assertions built by Microsoft.IdentityModel and sent by
/// Duende.IdentityModel, checked by the service for issuer, subject, audience, lifetime, algorithm, key and replay.
/// </summary>
public sealed class PrivateKeyJwtTests : EndToEndTest
{
    private static readonly IReadOnlySet<string> ClientCredentialsOnly = new HashSet<string>(StringComparer.Ordinal) { GrantTypeNames.ClientCredentials };
    private static readonly string TokenEndpointUrl = Routes.Absolute(ServiceHost.Issuer, Routes.Token);

    protected override bool UsesFakeClock => true;

    [TestCase(JwsAlgorithms.RS256)]
    [TestCase(JwsAlgorithms.PS256)]
    [TestCase(JwsAlgorithms.ES256)]
    public async Task ClientCredentials_WithAnAssertionSignedByTheRegisteredKey_GetsATokenForTheClient(string algorithm)
    {
        using var key = algorithm == JwsAlgorithms.ES256 ? ClientKeyPair.EcP256() : ClientKeyPair.Rsa(algorithm);
        var client = await RegisterAsync(key);

        var response = await ClientCredentialsAsync(client.ClientId, AssertionBy(key, client.ClientId));

        Assert.That(response.IsError, Is.False, response.Raw);
        var validation = await JwtValidation.ValidateAsync(Http, Host.JwksUri, response.AccessToken!, ServiceHost.Issuer, ServiceHost.Audience);
        Assert.That(validation.IsValid, Is.True, validation.Exception?.Message);
        Assert.That(((JsonWebToken)validation.SecurityToken).Subject, Is.EqualTo(client.ClientId));
    }

    [Test]
    public async Task CodeExchange_AuthenticatedWithAnAssertion_RedeemsTheCode()
    {
        using var key = ClientKeyPair.Rsa();
        var client = await Clients.AddPrivateKeyJwtAsync(ClientKeyPair.Jwks(key));
        var code = await Clients.IssueCodeAsync(client.ClientId);

        var response = await Http.RequestAuthorizationCodeTokenAsync(new AuthorizationCodeTokenRequest
        {
            Address = Host.TokenEndpoint.ToString(),
            ClientId = client.ClientId,
            ClientCredentialStyle = ClientCredentialStyle.PostBody,
            ClientAssertion = Assertion(AssertionBy(key, client.ClientId)),
            Code = code.Code,
            RedirectUri = TestClients.RedirectUri,
            CodeVerifier = code.Verifier,
        });

        Assert.That(response.IsError, Is.False, response.Raw);
        Assert.That(response.AccessToken, Is.Not.Null);
    }

    [TestCase("issuer")]
    [TestCase("token endpoint")]
    [TestCase("array with the token endpoint")]
    public async Task AudienceNamingThisServer_IsAccepted(string audience)
    {
        using var key = ClientKeyPair.Rsa();
        var client = await RegisterAsync(key);
        var assertion = key.CreateAssertion(client.ClientId, ServiceHost.Issuer, Clock.GetUtcNow(), d =>
        {
            switch (audience)
            {
                case "token endpoint":
                    d.Audience = TokenEndpointUrl;
                    break;
                case "array with the token endpoint":
                    d.Audience = null;
                    d.Claims[JwtRegisteredClaimNames.Aud] = new[] { "https://other.example.test", TokenEndpointUrl };
                    break;
            }
        });

        var response = await ClientCredentialsAsync(client.ClientId, assertion);

        Assert.That(response.IsError, Is.False, response.Raw);
    }

    [Test]
    public async Task ReplayedAssertion_IsInvalidClient_AndGetsNoToken()
    {
        using var key = ClientKeyPair.Rsa();
        var client = await RegisterAsync(key);
        var assertion = AssertionBy(key, client.ClientId);
        var first = await ClientCredentialsAsync(client.ClientId, assertion);
        Assert.That(first.IsError, Is.False, first.Raw);

        var replay = await ClientCredentialsAsync(client.ClientId, assertion);

        await OAuthAssert.ClientAuthenticationFailedAsync(replay.HttpResponse!, Logs, "jti");
    }

    // ECDSA signatures are malleable: (r, s) and (r, n - s) both verify. The service accepts both forms, as .NET's
    // verifier does, because replay protection is keyed on the assertion's jti, not on its signature bytes.
    [Test]
    public async Task UsedEs256Assertion_WithItsSignatureMalleatedToTheOtherS_IsStillRefusedAsAReplay()
    {
        using var key = ClientKeyPair.EcP256();
        var client = await RegisterAsync(key);
        var assertion = AssertionBy(key, client.ClientId);
        var first = await ClientCredentialsAsync(client.ClientId, assertion);
        Assert.That(first.IsError, Is.False, first.Raw);
        var malleated = EcdsaMalleability.WithOtherS(assertion);
        Assert.That(malleated, Is.Not.EqualTo(assertion));
        Assert.That(await EcdsaMalleability.SignatureVerifiesAsync(malleated, key), Is.True, "the malleated copy carries a valid signature");

        var replay = await ClientCredentialsAsync(client.ClientId, malleated);

        await OAuthAssert.ClientAuthenticationFailedAsync(replay.HttpResponse!, Logs, "jti");
    }

    [Test]
    public async Task FreshEs256AssertionWithAHighSSignature_IsAcceptedOnce_AndEitherFormOfItIsThenAReplay()
    {
        using var key = ClientKeyPair.EcP256();
        var client = await RegisterAsync(key);
        var highS = EcdsaMalleability.WithHighS(AssertionBy(key, client.ClientId));
        Assert.That(EcdsaMalleability.HasHighS(highS), Is.True);

        var first = await ClientCredentialsAsync(client.ClientId, highS);
        Assert.That(first.IsError, Is.False, first.Raw);

        var again = await ClientCredentialsAsync(client.ClientId, highS);
        await OAuthAssert.ClientAuthenticationFailedAsync(again.HttpResponse!, Logs, "jti");
        var lowS = await ClientCredentialsAsync(client.ClientId, EcdsaMalleability.WithOtherS(highS));
        await OAuthAssert.ClientAuthenticationFailedAsync(lowS.HttpResponse!, Logs, "jti");
    }

    [Test]
    public async Task TwentyConcurrentUsesOfOneAssertion_ExactlyOneGetsAToken()
    {
        using var key = ClientKeyPair.EcP256();
        var client = await RegisterAsync(key);
        var assertion = AssertionBy(key, client.ClientId);

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => ClientCredentialsAsync(client.ClientId, assertion)));

        Assert.Multiple(() =>
        {
            Assert.That(responses.Count(r => !r.IsError), Is.EqualTo(1), string.Join("\n", responses.Select(r => r.Raw)));
            Assert.That(responses.Where(r => r.IsError).Select(r => r.Json?.GetProperty("error").GetString()), Is.All.EqualTo(OAuthErrorCodes.InvalidClient));
        });
    }

    [Test]
    public async Task NewAssertionReusingTheJtiOfOneStillValid_IsInvalidClient()
    {
        using var key = ClientKeyPair.Rsa();
        var client = await RegisterAsync(key);
        var jti = Guid.NewGuid().ToString();
        var now = Clock.GetUtcNow();
        var first = await ClientCredentialsAsync(client.ClientId, key.CreateAssertion(client.ClientId, TokenEndpointUrl, now, d => d.Claims[JwtRegisteredClaimNames.Jti] = jti));
        Assert.That(first.IsError, Is.False, first.Raw);

        var second = await ClientCredentialsAsync(client.ClientId, key.CreateAssertion(client.ClientId, TokenEndpointUrl, now, d =>
        {
            d.Claims[JwtRegisteredClaimNames.Jti] = jti;
            d.Expires = now.AddMinutes(2).UtcDateTime;
        }));

        await OAuthAssert.ClientAuthenticationFailedAsync(second.HttpResponse!, Logs, "jti");
    }

    [Test]
    public async Task JtiOfAnAssertionThatHasExpired_MayBeUsedByANewAssertion()
    {
        using var key = ClientKeyPair.Rsa();
        var client = await RegisterAsync(key);
        var jti = Guid.NewGuid().ToString();
        var first = await ClientCredentialsAsync(client.ClientId, AssertionBy(key, client.ClientId, d => d.Claims[JwtRegisteredClaimNames.Jti] = jti));
        Assert.That(first.IsError, Is.False, first.Raw);

        Clock.Advance(TimeSpan.FromMinutes(1) + ClientAssertionValidator.ClockSkew + TimeSpan.FromSeconds(1));
        var later = await ClientCredentialsAsync(client.ClientId, AssertionBy(key, client.ClientId, d => d.Claims[JwtRegisteredClaimNames.Jti] = jti));

        Assert.That(later.IsError, Is.False, later.Raw);
    }

    [Test]
    public async Task ExpiredAssertion_IsInvalidClient()
    {
        using var key = ClientKeyPair.Rsa();
        var client = await RegisterAsync(key);
        var assertion = AssertionBy(key, client.ClientId);

        Clock.Advance(TimeSpan.FromMinutes(1) + ClientAssertionValidator.ClockSkew);
        var response = await ClientCredentialsAsync(client.ClientId, assertion);

        await OAuthAssert.ClientAuthenticationFailedAsync(response.HttpResponse!, Logs, "expired");
    }

    [TestCase("iss is another client", "iss")]
    [TestCase("audience is another server", "aud")]
    [TestCase("no audience", "aud")]
    [TestCase("no exp", "exp")]
    [TestCase("exp an hour ahead", "minutes ahead")]
    [TestCase("nbf in the future", "not valid yet")]
    [TestCase("iat in the future", "not valid yet")]
    [TestCase("no jti", "jti")]
    public async Task AssertionWithAClaimThatDoesNotHold_IsInvalidClient(string defect, string descriptionContains)
    {
        using var key = ClientKeyPair.Rsa();
        var client = await RegisterAsync(key);
        var now = Clock.GetUtcNow();
        var assertion = key.CreateAssertion(client.ClientId, TokenEndpointUrl, now, d =>
        {
            switch (defect)
            {
                case "iss is another client": d.Issuer = "someone-else"; break;
                case "audience is another server": d.Audience = "https://login.other.example/token"; break;
                case "no audience": d.Audience = null; break;
                case "no exp": d.Expires = null; break;
                case "exp an hour ahead": d.Expires = now.AddHours(1).UtcDateTime; break;
                case "nbf in the future": d.NotBefore = now.AddMinutes(3).UtcDateTime; d.Expires = now.AddMinutes(4).UtcDateTime; break;
                case "iat in the future": d.IssuedAt = now.AddMinutes(3).UtcDateTime; break;
                case "no jti": d.Claims.Remove(JwtRegisteredClaimNames.Jti); break;
            }
        });

        var response = await ClientCredentialsAsync(client.ClientId, assertion);

        await OAuthAssert.ClientAuthenticationFailedAsync(response.HttpResponse!, Logs, descriptionContains);
    }

    [Test]
    public async Task AssertionSignedByAnotherKeyWithTheRegisteredKid_IsInvalidClient()
    {
        using var registered = ClientKeyPair.Rsa();
        using var attacker = ClientKeyPair.Rsa();
        var client = await RegisterAsync(registered);
        var forged = AssertionBy(attacker, client.ClientId, d =>
            d.SigningCredentials = new SigningCredentials(new RsaSecurityKey(((RsaSecurityKey)attacker.SecurityKey).Rsa) { KeyId = registered.KeyId }, attacker.Algorithm));

        var response = await ClientCredentialsAsync(client.ClientId, forged);

        await OAuthAssert.ClientAuthenticationFailedAsync(response.HttpResponse!, Logs, "signature");
    }

    [Test]
    public async Task AssertionWhoseClaimsWereChangedAfterSigning_IsInvalidClient()
    {
        using var key = ClientKeyPair.Rsa();
        var client = await RegisterAsync(key);
        var parts = AssertionBy(key, client.ClientId).Split('.');
        var claims = System.Text.Json.Nodes.JsonNode.Parse(Base64UrlEncoder.Decode(parts[1]))!;
        claims["jti"] = Guid.NewGuid().ToString();
        var tampered = $"{parts[0]}.{Base64UrlEncoder.Encode(claims.ToJsonString())}.{parts[2]}";

        var response = await ClientCredentialsAsync(client.ClientId, tampered);

        await OAuthAssert.ClientAuthenticationFailedAsync(response.HttpResponse!, Logs, "signature");
    }

    [Test]
    public async Task AssertionWithoutKid_IsCheckedAgainstEveryRegisteredKeyOfItsAlgorithm()
    {
        using var old = ClientKeyPair.Rsa();
        using var current = ClientKeyPair.EcP256();
        var client = await RegisterAsync(old, current);
        var assertion = AssertionBy(current, client.ClientId, d =>
            d.SigningCredentials = new SigningCredentials(new ECDsaSecurityKey(((ECDsaSecurityKey)current.SecurityKey).ECDsa), current.Algorithm));

        var response = await ClientCredentialsAsync(client.ClientId, assertion);

        Assert.That(response.IsError, Is.False, response.Raw);
    }

    [Test]
    public async Task UnsignedAssertion_AlgNone_IsInvalidClient()
    {
        using var key = ClientKeyPair.Rsa();
        var client = await RegisterAsync(key);
        var header = Base64UrlEncoder.Encode("{\"alg\":\"none\",\"typ\":\"JWT\"}");
        var signed = AssertionBy(key, client.ClientId).Split('.');

        foreach (var unsigned in new[] { $"{header}.{signed[1]}.", $"{header}.{signed[1]}.{signed[2]}" })
        {
            var response = await ClientCredentialsAsync(client.ClientId, unsigned);
            await OAuthAssert.ClientAuthenticationFailedAsync(response.HttpResponse!, Logs, "client assertion");
        }
    }

    [Test]
    public async Task HmacAssertionKeyedWithTheClientsPublicKey_IsInvalidClient()
    {
        using var key = ClientKeyPair.Rsa();
        var client = await RegisterAsync(key);
        var confused = AssertionBy(key, client.ClientId, d =>
            d.SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(key.PublicKeyBytes) { KeyId = key.KeyId }, SecurityAlgorithms.HmacSha256));

        var response = await ClientCredentialsAsync(client.ClientId, confused);

        await OAuthAssert.ClientAuthenticationFailedAsync(response.HttpResponse!, Logs, "RS256, PS256, ES256");
    }

    [Test]
    public async Task AssertionWithAnAlgorithmOutsideTheAllowList_IsInvalidClient()
    {
        using var key = ClientKeyPair.Rsa(SecurityAlgorithms.RsaSha384);
        var client = await RegisterAsync(key);

        var response = await ClientCredentialsAsync(client.ClientId, AssertionBy(key, client.ClientId));

        await OAuthAssert.ClientAuthenticationFailedAsync(response.HttpResponse!, Logs, "RS256, PS256, ES256");
    }

    [Test]
    public async Task ClientWithKeys_SendingASecretInstead_IsInvalidClient()
    {
        using var key = ClientKeyPair.Rsa();
        var client = await RegisterAsync(key);

        using var response = await PostFormAsync(new Dictionary<string, string> { ["grant_type"] = GrantTypeNames.ClientCredentials }, basic: BasicOf(client.ClientId, "a-guessed-secret-of-enough-length-000"));

        await OAuthAssert.ClientAuthenticationFailedAsync(response, Logs, "private_key_jwt", basicChallenge: true);
    }

    [Test]
    public async Task ClientWithKeys_SendingOnlyItsClientId_IsInvalidClient()
    {
        using var key = ClientKeyPair.Rsa();
        var client = await RegisterAsync(key);

        using var response = await PostFormAsync(new Dictionary<string, string> { ["grant_type"] = GrantTypeNames.ClientCredentials, ["client_id"] = client.ClientId });

        await OAuthAssert.ClientAuthenticationFailedAsync(response, Logs, "private_key_jwt");
    }

    [Test]
    public async Task ClientWithASecret_SendingAnAssertion_IsInvalidClient()
    {
        using var key = ClientKeyPair.Rsa();
        var client = await Clients.AddConfidentialAsync(grantTypes: ClientCredentialsOnly);

        var response = await ClientCredentialsAsync(client.ClientId, AssertionBy(key, client.ClientId));

        await OAuthAssert.ClientAuthenticationFailedAsync(response.HttpResponse!, Logs, "no registered keys");
    }

    [Test]
    public async Task AssertionOfAnotherClientsKey_DoesNotAuthenticateThisClient()
    {
        using var mine = ClientKeyPair.Rsa();
        using var theirs = ClientKeyPair.Rsa();
        var client = await RegisterAsync(mine);
        await RegisterAsync(theirs);

        var response = await ClientCredentialsAsync(client.ClientId, AssertionBy(theirs, client.ClientId));

        await OAuthAssert.ClientAuthenticationFailedAsync(response.HttpResponse!, Logs, "signature");
    }

    [TestCase("urn:ietf:params:oauth:client-assertion-type:saml2-bearer", HttpStatusCode.Unauthorized, OAuthErrorCodes.InvalidClient, "client_assertion_type")]
    [TestCase(null, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidRequest, "client_assertion_type")]
    public async Task AssertionWithAWrongOrMissingType_IsRefused(string? type, HttpStatusCode status, string error, string descriptionContains)
    {
        using var key = ClientKeyPair.Rsa();
        var client = await RegisterAsync(key);
        var form = new Dictionary<string, string>
        {
            ["grant_type"] = GrantTypeNames.ClientCredentials,
            ["client_assertion"] = AssertionBy(key, client.ClientId),
        };
        if (type is not null)
        {
            form["client_assertion_type"] = type;
        }

        using var response = await PostFormAsync(form);

        if (status == HttpStatusCode.Unauthorized)
        {
            await OAuthAssert.ClientAuthenticationFailedAsync(response, Logs, descriptionContains);
        }
        else
        {
            await OAuthAssert.ErrorAsync(response, status, error);
        }
    }

    [Test]
    public async Task BodyClientIdOtherThanTheAssertionsSubject_IsInvalidRequest()
    {
        using var key = ClientKeyPair.Rsa();
        var client = await RegisterAsync(key);

        var response = await ClientCredentialsAsync("someone-else", AssertionBy(key, client.ClientId));

        await OAuthAssert.ErrorAsync(response.HttpResponse!, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidRequest);
    }

    [Test]
    public async Task RefusedAssertion_LeavesTheCodeRedeemable()
    {
        using var key = ClientKeyPair.Rsa();
        var client = await Clients.AddPrivateKeyJwtAsync(ClientKeyPair.Jwks(key));
        var code = await Clients.IssueCodeAsync(client.ClientId);
        var form = CodeForm(code);
        form["client_assertion_type"] = ClientAuthenticationMethods.JwtBearerAssertionType;
        form["client_assertion"] = key.CreateAssertion(client.ClientId, "https://elsewhere.example", Clock.GetUtcNow());
        using var refused = await PostFormAsync(form);
        await OAuthAssert.ClientAuthenticationFailedAsync(refused, Logs, "aud");

        form["client_assertion"] = AssertionBy(key, client.ClientId);
        using var redeemed = await PostFormAsync(form);

        Assert.That(redeemed.StatusCode, Is.EqualTo(HttpStatusCode.OK), await redeemed.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task Revocation_AuthenticatedWithAnAssertion_RevokesTheRefreshTokensGrant()
    {
        using var key = ClientKeyPair.Rsa();
        var client = await Clients.AddPrivateKeyJwtAsync(ClientKeyPair.Jwks(key), grantTypes: TestClients.WithRefreshTokens);
        var code = await Clients.IssueCodeAsync(client.ClientId);
        var form = CodeForm(code);
        form["client_assertion_type"] = ClientAuthenticationMethods.JwtBearerAssertionType;
        form["client_assertion"] = AssertionBy(key, client.ClientId);
        using var redeemed = await PostFormAsync(form);
        var refreshToken = System.Text.Json.JsonDocument.Parse(await redeemed.Content.ReadAsStringAsync()).RootElement.GetProperty("refresh_token").GetString()!;

        var revoked = await Http.RevokeTokenAsync(new TokenRevocationRequest
        {
            Address = Host.RevocationEndpoint.ToString(),
            ClientId = client.ClientId,
            ClientCredentialStyle = ClientCredentialStyle.PostBody,
            ClientAssertion = Assertion(key.CreateAssertion(client.ClientId, ServiceHost.Issuer, Clock.GetUtcNow())),
            Token = refreshToken,
            TokenTypeHint = OidcConstants.TokenTypes.RefreshToken,
        });
        Assert.That(revoked.IsError, Is.False, revoked.Raw);

        var refresh = await Http.RequestRefreshTokenAsync(new RefreshTokenRequest
        {
            Address = Host.TokenEndpoint.ToString(),
            ClientId = client.ClientId,
            ClientCredentialStyle = ClientCredentialStyle.PostBody,
            ClientAssertion = Assertion(AssertionBy(key, client.ClientId)),
            RefreshToken = refreshToken,
        });
        Assert.That(refresh.Error, Is.EqualTo(OAuthErrorCodes.InvalidGrant), refresh.Raw);
    }

    [Test]
    public async Task Purge_DeletesTheIdsOfExpiredAssertions_AndKeepsLiveOnes()
    {
        using var key = ClientKeyPair.Rsa();
        var client = await RegisterAsync(key);
        var expiring = await ClientCredentialsAsync(client.ClientId, AssertionBy(key, client.ClientId));
        Assert.That(expiring.IsError, Is.False, expiring.Raw);
        Clock.Advance(TimeSpan.FromMinutes(3));
        var liveJti = Guid.NewGuid().ToString();
        var live = await ClientCredentialsAsync(client.ClientId, AssertionBy(key, client.ClientId, d => d.Claims[JwtRegisteredClaimNames.Jti] = liveJti));
        Assert.That(live.IsError, Is.False, live.Raw);

        var report = await Host.Services.GetRequiredService<GrantMaintenance>().PurgeAsync(100, 10, CancellationToken.None);

        var table = await Host.Services.GetRequiredService<TokenTables>().GetAsync(TableNames.ClientAssertions, CancellationToken.None);
        var rows = await table.QueryAsync<ClientAssertionEntity>(e => e.PartitionKey == client.ClientId).ToListAsync();
        Assert.Multiple(() =>
        {
            Assert.That(report.AssertionIdsDeleted, Is.GreaterThanOrEqualTo(1));
            Assert.That(rows.Select(r => r.RowKey), Is.EqualTo(new[] { ClientAssertionReplayStore.RowKeyOf(liveJti) }), "only the live assertion's id is left");
        });
    }

    /// <summary>A client of the client_credentials grant whose keys are <paramref name="keys"/>, registered inline.</summary>
    private Task<RegisteredClient> RegisterAsync(params ClientKeyPair[] keys) =>
        Clients.AddPrivateKeyJwtAsync(ClientKeyPair.Jwks(keys), grantTypes: ClientCredentialsOnly);

    /// <summary>A fresh assertion by <paramref name="key"/> for <paramref name="clientId"/>, addressed to the token endpoint, as of the service's clock.</summary>
    private string AssertionBy(ClientKeyPair key, string clientId, Action<SecurityTokenDescriptor>? adjust = null) =>
        key.CreateAssertion(clientId, TokenEndpointUrl, Clock.GetUtcNow(), adjust);

    private Task<TokenResponse> ClientCredentialsAsync(string clientId, string assertion) =>
        PrivateKeyJwtRequests.ClientCredentialsAsync(Http, Host.TokenEndpoint.ToString(), clientId, assertion);

    private static Duende.IdentityModel.Client.ClientAssertion Assertion(string value) => PrivateKeyJwtRequests.Assertion(value);
}
