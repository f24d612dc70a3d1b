using TokenFunction.Clients.Assertions;
using TokenFunction.Protocol;

namespace TokenFunction.Clients;

/// <summary>
/// Turns presented credentials into a registered client, or an <c>invalid_client</c> (RFC 6749 section 2.3). Every
/// failure answers alike (<see cref="OAuthProtocolException.ClientAuthenticationFailed"/>); the reason is for the log.
/// </summary>
public sealed class ClientAuthenticator(IClientLookup clients, ClientAssertionValidator assertions)
{
    // A well-formed hash of no secret anyone has: an unknown client's secret is checked against it, so that the answer
    // takes as long as for a known client with a wrong secret.
    private static readonly string s_unknownClientHash = ClientSecretHasher.Hash(ClientSecretHasher.GenerateSecret());

    public async Task<OAuthClient> AuthenticateAsync(ClientCredentials credentials, CancellationToken cancellationToken)
    {
        var client = OAuthClient.IsValidId(credentials.ClientId)
            ? await clients.FindAsync(credentials.ClientId, cancellationToken).ConfigureAwait(false)
            : null;
        if (client is null)
        {
            _ = ClientSecretHasher.Verify(credentials.Secret ?? string.Empty, s_unknownClientHash);
            throw OAuthProtocolException.InvalidClient("Unknown client.", credentials.UsedBasic);
        }

        if (client.UsesPrivateKeyJwt)
        {
            if (credentials.Assertion is not { } assertion)
            {
                throw OAuthProtocolException.InvalidClient(
                    "This client authenticates with private_key_jwt: send client_assertion_type and a client_assertion signed with its key.", credentials.UsedBasic);
            }

            await assertions.ValidateAsync(client, assertion, cancellationToken).ConfigureAwait(false);
            return client;
        }

        if (credentials.Assertion is not null)
        {
            throw OAuthProtocolException.InvalidClient("This client has no registered keys, so it cannot authenticate with a client assertion.", challengeBasic: false);
        }

        if (client.SecretHash is null)
        {
            if (credentials.Secret is not null)
            {
                throw OAuthProtocolException.InvalidClient("This client is public and must not send a client secret.", credentials.UsedBasic);
            }

            return client;
        }

        if (credentials.Secret is null)
        {
            throw OAuthProtocolException.InvalidClient("This client is confidential and must authenticate with its client secret.", credentials.UsedBasic);
        }

        if (!ClientSecretHasher.Verify(credentials.Secret, client.SecretHash))
        {
            throw OAuthProtocolException.InvalidClient("Wrong client secret.", credentials.UsedBasic);
        }

        return client;
    }
}
