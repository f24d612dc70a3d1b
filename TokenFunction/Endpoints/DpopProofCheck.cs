using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using TokenFunction.Clients;
using TokenFunction.Grants;
using TokenFunction.Protocol;
using TokenFunction.Settings;

namespace TokenFunction.Endpoints;

/// <summary>
/// The token endpoint's DPoP step (RFC 9449), once the client is authenticated: the proof's own checks
/// (<see cref="DpopProofValidator"/>), the client's <c>dpop_bound_access_tokens</c>, the server nonce when required
/// (section 8), and the jti's single use (section 11.1), in that order so that a refused proof uses up nothing.
/// </summary>
public sealed class DpopProofCheck(IOptions<DpopOptions> options, IOptions<EndpointUrls> urls, DpopNonces nonces, IDpopProofReplayStore replays, TimeProvider time)
{
    private readonly Lazy<DpopProofRules> _rules = new(() => new DpopProofRules(
        options.Value.Algorithms(),
        new Uri(urls.Value.TokenEndpoint, UriKind.Absolute),
        TimeSpan.FromSeconds(options.Value.ProofMaxAgeSeconds),
        TimeSpan.FromSeconds(options.Value.ClockSkewSeconds)));

    /// <summary>The thumbprint of the proof's key (what the tokens get bound to); null when the request has no proof.</summary>
    /// <exception cref="OAuthProtocolException"><c>invalid_dpop_proof</c> or <c>use_dpop_nonce</c> (with a fresh nonce).</exception>
    public async Task<string?> CheckAsync(HttpRequest request, OAuthClient client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(client);
        var now = time.GetUtcNow();
        var proof = DpopProofValidator.Read(request.Headers[DpopProofValidator.HeaderName], _rules.Value, now);
        if (proof is null)
        {
            return client.RequireDpop
                ? throw new OAuthProtocolException(OAuthErrorCodes.InvalidDpopProof, "This client is registered with dpop_bound_access_tokens: send a DPoP proof.")
                : null;
        }

        if (nonces.Required && !nonces.IsFresh(proof.Nonce))
        {
            throw new OAuthProtocolException(OAuthErrorCodes.UseDpopNonce,
                proof.Nonce is null ? "The DPoP proof must carry the nonce of the DPoP-Nonce header." : "The DPoP proof's nonce is stale; use the one of the DPoP-Nonce header.")
            {
                DpopNonce = nonces.Issue(),
            };
        }

        // Remembered for as long as the proof's iat keeps it acceptable, plus the skew another instance's clock may have.
        var acceptableUntil = proof.IssuedAt + _rules.Value.MaxAge + _rules.Value.ClockSkew;
        if (!await replays.TryUseAsync(proof.Thumbprint, proof.JwtId, acceptableUntil, cancellationToken).ConfigureAwait(false))
        {
            throw new OAuthProtocolException(OAuthErrorCodes.InvalidDpopProof, "The DPoP proof was already used; make a new proof (a new jti) for each request.");
        }

        return proof.Thumbprint;
    }

    /// <summary>The nonce a successful answer carries when nonces are required (section 8.2), so the client's next proof has one.</summary>
    public string? NextNonce() => nonces.Required ? nonces.Issue() : null;
}
