using Microsoft.Extensions.Options;
using TokenFunction.Protocol;
using TokenFunction.Settings;

namespace TokenFunction.Clients.Assertions;

/// <summary>
/// Decides whether a client assertion authenticates its client (RFC 7523 section 3): who issued it, for whom, for
/// how long, signed by which of the client's keys, and whether its id was used before. The cheap claim checks run
/// first; only an authentic assertion may write its id, so forged requests cannot fill the replay table.
/// </summary>
public sealed class ClientAssertionValidator(ClientKeys keys, IAssertionReplayStore replay, IOptions<TokenOptions> options, IOptions<EndpointUrls> urls, TimeProvider time)
{
    /// <summary>How far ahead an assertion's <c>exp</c> may lie: an assertion is made for one request, not reused.</summary>
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromMinutes(5);

    /// <summary>Tolerated disagreement between the client's clock and ours.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(60);

    public async Task ValidateAsync(OAuthClient client, ClientAssertion assertion, CancellationToken cancellationToken)
    {
        var claims = assertion.Claims;
        if (!string.Equals(claims.Issuer, client.ClientId, StringComparison.Ordinal) || !string.Equals(claims.Subject, client.ClientId, StringComparison.Ordinal))
        {
            throw Refused("The client assertion's iss and sub claims must both be the client id.");
        }

        var issuer = options.Value.Issuer!;
        var tokenEndpoint = urls.Value.TokenEndpoint;
        if (!claims.Audiences.Any(a => string.Equals(a, issuer, StringComparison.Ordinal) || string.Equals(a, tokenEndpoint, StringComparison.Ordinal)))
        {
            throw Refused($"The client assertion's aud claim must be this service's issuer {ErrorText.Quote(issuer)} or its token endpoint {ErrorText.Quote(tokenEndpoint)}.");
        }

        var now = time.GetUtcNow();
        if (claims.ExpiresAt is not { } expiresAt)
        {
            throw Refused("The client assertion has no exp claim.");
        }

        if (expiresAt + ClockSkew <= now)
        {
            throw Refused("The client assertion has expired.");
        }

        if (expiresAt > now + MaxLifetime + ClockSkew)
        {
            throw Refused($"The client assertion's exp claim is more than {MaxLifetime.TotalMinutes:0} minutes ahead; make a new assertion for each request.");
        }

        if (claims.NotBefore > now + ClockSkew || claims.IssuedAt > now + ClockSkew)
        {
            throw Refused("The client assertion is not valid yet (its nbf or iat claim lies in the future).");
        }

        if (string.IsNullOrEmpty(claims.JwtId) || claims.JwtId.Length > AssertionClaims.MaxJwtIdLength)
        {
            throw Refused($"The client assertion needs a jti claim of 1 to {AssertionClaims.MaxJwtIdLength} characters, unique per assertion.");
        }

        if (!await keys.VerifyAsync(client, assertion, cancellationToken).ConfigureAwait(false))
        {
            throw Refused("The client assertion's signature does not verify with any of the client's registered keys.");
        }

        if (!await replay.TryUseAsync(client.ClientId, claims.JwtId, expiresAt + ClockSkew, cancellationToken).ConfigureAwait(false))
        {
            throw Refused("The client assertion was used before: its jti claim is single-use.");
        }
    }

    private static OAuthProtocolException Refused(string description) => OAuthProtocolException.InvalidClient(description, challengeBasic: false);
}
