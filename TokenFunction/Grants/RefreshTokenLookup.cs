using TokenFunction.Clients;

namespace TokenFunction.Grants;

/// <summary>How a presented refresh token relates to the client presenting it.</summary>
public enum RefreshTokenMatch
{
    /// <summary>Not in the refresh token format (an access token, garbage): nothing is stored for it, nothing was read.</summary>
    NotARefreshToken,

    /// <summary>In the format, but no such grant or token is stored.</summary>
    Unknown,

    /// <summary>The token belongs to a grant of another client.</summary>
    AnotherClients,

    /// <summary>The client's own token (live, retired, or of a revoked grant: the caller decides).</summary>
    Found,
}

/// <summary>A presented refresh token, looked up and checked against its client: shared by the refresh grant and revocation.</summary>
public sealed record RefreshTokenLookup(RefreshTokenMatch Match, AuthorizationGrant? Grant = null, RefreshTokenRecord? Token = null)
{
    /// <exception cref="MalformedRowException">The grant's or the token's record cannot be read.</exception>
    public static Task<RefreshTokenLookup> FindAsync(IRefreshRotationStore store, string presented, OAuthClient client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        return FindAsync(store.FindAsync, presented, client, cancellationToken);
    }

    /// <summary>
    /// As <see cref="FindAsync(IRefreshRotationStore, string, OAuthClient, CancellationToken)"/> for a token about to be
    /// rotated: the store may answer from its own last write (<see cref="IRefreshRotationStore.FindForRotationAsync"/>).
    /// </summary>
    /// <exception cref="MalformedRowException">The grant's or the token's record cannot be read.</exception>
    public static Task<RefreshTokenLookup> FindForRotationAsync(IRefreshRotationStore store, string presented, OAuthClient client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        return FindAsync(store.FindForRotationAsync, presented, client, cancellationToken);
    }

    private static async Task<RefreshTokenLookup> FindAsync(
        Func<string, string, CancellationToken, Task<(AuthorizationGrant? Grant, RefreshTokenRecord? Token)>> find, string presented, OAuthClient client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        if (!RefreshTokens.TryParse(presented, out var grantId, out var key))
        {
            return new(RefreshTokenMatch.NotARefreshToken);
        }

        var (grant, token) = await find(grantId, key, cancellationToken).ConfigureAwait(false);
        if (grant is null || token is null)
        {
            return new(RefreshTokenMatch.Unknown);
        }

        return string.Equals(grant.ClientId, client.ClientId, StringComparison.Ordinal)
            ? new(RefreshTokenMatch.Found, grant, token)
            : new(RefreshTokenMatch.AnotherClients, grant, token);
    }
}
