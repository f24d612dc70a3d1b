using System.Net;
using Duende.IdentityModel.Client;
using TokenFunction.Functions;
using TokenFunction.Protocol;
using TokenFunction.Settings;
using TokenFunction.Tests.Infrastructure;

namespace TokenFunction.Tests.EndToEnd;

/// <summary>
/// DPoP server nonces (RFC 9449 section 8) with <c>Dpop__RequireNonce</c>: a proof without a fresh nonce is answered
/// 400 <c>use_dpop_nonce</c> with a <c>DPoP-Nonce</c> header, the retry with it gets the token and the next nonce. The
/// service's clock is a fake one, moved to make a nonce stale.
/// </summary>
public sealed class DpopNonceTests : EndToEndTest
{
    private static readonly Uri Htu = new($"{ServiceHost.Issuer}/{Routes.Token}");

    protected override bool UsesFakeClock => true;

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        [SettingNames.DpopRequireNonce] = "true",
        [SettingNames.DpopNonceKey] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
    };

    [Test]
    public async Task AProofWithoutANonce_GetsUseDpopNonceWithANonce_AndTheRetryWithItGetsTheTokenAndTheNextNonce()
    {
        using var key = DpopKey.Ec();
        var client = await ClientCredentialsClientAsync();

        var challenged = await RequestAsync(client, key.Proof(Htu, Clock.GetUtcNow()));
        await OAuthAssert.ErrorAsync(challenged.HttpResponse!, HttpStatusCode.BadRequest, OAuthErrorCodes.UseDpopNonce);
        var nonce = NonceOf(challenged);
        var retried = await RequestAsync(client, key.Proof(Htu, Clock.GetUtcNow(), new ProofShape { Nonce = nonce }));

        Assert.Multiple(() =>
        {
            Assert.That(nonce, Is.Not.Null.And.Not.Empty, "the 400 carries DPoP-Nonce");
            Assert.That(retried.IsError, Is.False, retried.Raw);
            Assert.That(retried.TokenType, Is.EqualTo("DPoP"));
            Assert.That(NonceOf(retried), Is.Not.Null.And.Not.Empty, "a success carries the nonce for the next proof");
        });
    }

    [Test]
    public async Task ANonceFromTenMinutesAgo_IsStale_AndAnsweredWithAFreshOne()
    {
        using var key = DpopKey.Ec();
        var client = await ClientCredentialsClientAsync();
        var nonce = NonceOf(await RequestAsync(client, key.Proof(Htu, Clock.GetUtcNow())));

        Clock.Advance(TimeSpan.FromMinutes(10));
        var stale = await RequestAsync(client, key.Proof(Htu, Clock.GetUtcNow(), new ProofShape { Nonce = nonce }));
        await OAuthAssert.ErrorAsync(stale.HttpResponse!, HttpStatusCode.BadRequest, OAuthErrorCodes.UseDpopNonce);
        var fresh = NonceOf(stale);
        var retried = await RequestAsync(client, key.Proof(Htu, Clock.GetUtcNow(), new ProofShape { Nonce = fresh }));

        Assert.Multiple(() =>
        {
            Assert.That(fresh, Is.Not.EqualTo(nonce));
            Assert.That(retried.IsError, Is.False, retried.Raw);
        });
    }

    [Test]
    public async Task ANonceNotIssuedByTheServer_IsRefused()
    {
        using var key = DpopKey.Ec();
        var client = await ClientCredentialsClientAsync();

        var forged = await RequestAsync(client, key.Proof(Htu, Clock.GetUtcNow(), new ProofShape { Nonce = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" }));

        await OAuthAssert.ErrorAsync(forged.HttpResponse!, HttpStatusCode.BadRequest, OAuthErrorCodes.UseDpopNonce);
    }

    [Test]
    public async Task WithNoncesRequired_ARequestWithoutAProof_IsStillServedAsBearer()
    {
        var client = await ClientCredentialsClientAsync();

        var response = await RequestAsync(client, proof: null);

        Assert.That(response.TokenType, Is.EqualTo("Bearer"), response.Raw);
    }

    private Task<RegisteredClient> ClientCredentialsClientAsync() =>
        Clients.AddConfidentialAsync(grantTypes: new HashSet<string> { GrantTypeNames.ClientCredentials });

    private Task<TokenResponse> RequestAsync(RegisteredClient client, string? proof)
    {
        var request = new ClientCredentialsTokenRequest { Address = Host.TokenEndpoint.ToString(), ClientId = client.ClientId, ClientSecret = client.Secret };
        if (proof is not null)
        {
            request.Headers.TryAddWithoutValidation("DPoP", proof);
        }

        return Http.RequestClientCredentialsTokenAsync(request);
    }

    private static string? NonceOf(TokenResponse response) =>
        response.HttpResponse!.Headers.TryGetValues("DPoP-Nonce", out var values) ? values.Single() : null;
}
