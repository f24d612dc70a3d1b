using TokenFunction.Protocol;

namespace TokenFunction.Clients.Assertions;

/// <summary>
/// The client's registered public keys, inline or at its JWKS URL, and the check that one of them made a
/// signature. With a <c>kid</c> only keys of that id are tried (an unknown kid at a URL means rotation: fetch
/// again); without one every key that fits the algorithm is tried. Header members that point at other keys
/// (<c>jwk</c>, <c>jku</c>, <c>x5u</c>) are never followed: the client's registration alone says which keys count.
/// </summary>
public sealed class ClientKeys(ClientJwksFetcher fetcher)
{
    public async Task<bool> VerifyAsync(OAuthClient client, ClientAssertion assertion, CancellationToken cancellationToken)
    {
        if (client.Jwks is { } inline)
        {
            if (!ClientJsonWebKeySet.TryParse(inline, out var registered, out var error))
            {
                throw OAuthProtocolException.InvalidClient($"The client's registered JWKS is not usable: {error}.", challengeBasic: false);
            }

            return Verify(registered!, assertion);
        }

        if (client.JwksUri is not { } uri)
        {
            return false;
        }

        try
        {
            var published = await fetcher.GetAsync(uri, refresh: false, cancellationToken).ConfigureAwait(false);
            if (Verify(published, assertion))
            {
                return true;
            }

            if (assertion.KeyId is null || published.Keys.Any(k => string.Equals(k.KeyId, assertion.KeyId, StringComparison.Ordinal)))
            {
                return false;
            }

            var refreshed = await fetcher.GetAsync(uri, refresh: true, cancellationToken).ConfigureAwait(false);
            return Verify(refreshed, assertion);
        }
        catch (ClientJwksUnavailableException e)
        {
            throw OAuthProtocolException.InvalidClient(e.Message, challengeBasic: false);
        }
    }

    private static bool Verify(ClientJsonWebKeySet keySet, ClientAssertion assertion) =>
        keySet.Keys
            .Where(k => k.Fits(assertion.Algorithm) && (assertion.KeyId is null || string.Equals(k.KeyId, assertion.KeyId, StringComparison.Ordinal)))
            .Any(k => k.Verify(assertion.Algorithm, assertion.SigningInput, assertion.Signature));
}
