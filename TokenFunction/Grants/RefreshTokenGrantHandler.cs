using Microsoft.Extensions.Logging;
using TokenFunction.Clients;
using TokenFunction.Protocol;
using TokenFunction.Signing;
using TokenFunction.Storage;

namespace TokenFunction.Grants;

/// <summary>
/// The refresh token grant (RFC 6749 section 6) with rotation and reuse detection (RFC 9700 section 4.14, OAuth 2.1):
/// every use retires the presented token and returns a successor; presenting a retired token after the grace window
/// revokes the whole grant. Within the grace window a retired token answers with the SAME successor (a client that lost
/// the response, or concurrent users of one token), never a second live token.
/// </summary>
public sealed partial class RefreshTokenGrantHandler(
    RefreshTokenStore refreshTokens,
    AuthorizationCodeStore codes,
    AccessTokenFactory tokens,
    RefreshTokenPolicy policy,
    TimeProvider time,
    ILogger<RefreshTokenGrantHandler> logger) : IGrantHandler
{
    public string GrantType => GrantTypeNames.RefreshToken;

    public async Task<AccessTokenResponse> HandleAsync(GrantRequest request, CancellationToken cancellationToken)
    {
        var client = request.Client;
        var presented = request.Parameters.Required(OAuthParameterNames.RefreshToken);
        var requestedScope = request.Parameters[OAuthParameterNames.Scope];
        if (!RefreshTokens.TryParse(presented, out var grantId, out var rowKey))
        {
            throw Unknown();
        }

        var (root, row) = await refreshTokens.FindAsync(grantId, rowKey, cancellationToken).ConfigureAwait(false);
        if (root is null || row is null)
        {
            throw Unknown();
        }

        if (!string.Equals(root.ClientId, client.ClientId, StringComparison.Ordinal))
        {
            throw OAuthProtocolException.InvalidGrant("The refresh token was issued to another client.");
        }

        if (root.RevokedAt is not null)
        {
            throw Revoked();
        }

        // A retired token is judged before its expiry, its scope and its resources: a reuser must not dodge revocation
        // by waiting for the token to expire or by asking for a scope or a resource the grant does not have.
        if (row.IsRetired)
        {
            return await AnswerRetiredAsync(root, row, presented, request.Parameters, client, cancellationToken).ConfigureAwait(false);
        }

        CheckNotExpired(root, row);
        var scope = NarrowScope(root.Scope, requestedScope);

        // RFC 8707: checked before anything is rotated, so an invalid_target costs the client nothing.
        var resources = Audiences(root, request.Parameters, client);

        // Sign first: a signer fault then leaves the refresh token unrotated and still usable.
        var accessToken = await tokens.CreateAsync(new AccessTokenDescriptor(root.Subject, client.ClientId, scope, resources), cancellationToken).ConfigureAwait(false);
        var successorToken = RefreshTokens.NewToken(grantId);
        var grantExpiresAt = root.GrantExpiresAt ?? row.ExpiresAt;
        var successor = policy.NewRow(grantId, successorToken, client, time.GetUtcNow(), grantExpiresAt);
        var result = await refreshTokens.RotateAsync(root, row, presented, successor, successorToken, cancellationToken).ConfigureAwait(false);
        return result.Outcome switch
        {
            RotateOutcome.Rotated => Response(accessToken, successorToken),
            RotateOutcome.RetiredByAnother => await AnswerRetiredAsync(result.Root!, result.Current!, presented, request.Parameters, client, cancellationToken).ConfigureAwait(false),
            RotateOutcome.Revoked => throw Revoked(),
            _ => throw Unknown(),
        };
    }

    /// <summary>
    /// A retired token: within the grace window, and while its successor is still the grant's live token, the same
    /// successor again with a freshly signed access token; otherwise it is reuse of a stolen or leaked token, and the
    /// whole grant is revoked.
    /// </summary>
    private async Task<AccessTokenResponse> AnswerRetiredAsync(
        AuthorizationCodeEntity root, RefreshTokenEntity retired, string presented, FormParameters parameters, OAuthClient client, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (root.RevokedAt is not null)
        {
            throw Revoked();
        }

        if (retired.RetiredAt is { } retiredAt && now < retiredAt + policy.ReuseGrace
            && RefreshTokenStore.OpenSuccessor(retired, presented) is { } successorToken
            && retired.SuccessorHash is { } successorKey)
        {
            var successor = await refreshTokens.FindTokenAsync(retired.PartitionKey, successorKey, cancellationToken).ConfigureAwait(false);
            if (successor is { IsRetired: false } && now < successor.ExpiresAt)
            {
                var scope = NarrowScope(root.Scope, parameters[OAuthParameterNames.Scope]);
                var resources = Audiences(root, parameters, client);
                LogGraceRetry(logger, client.ClientId, GrantKeys.ForLog(root.PartitionKey));
                var accessToken = await tokens.CreateAsync(new AccessTokenDescriptor(root.Subject, client.ClientId, scope, resources), cancellationToken).ConfigureAwait(false);
                return Response(accessToken, successorToken);
            }
        }

        LogReuse(logger, client.ClientId, GrantKeys.ForLog(root.PartitionKey));
        await codes.RevokeGrantAsync(root, cancellationToken).ConfigureAwait(false);
        throw OAuthProtocolException.InvalidGrant("The refresh token was already used; the grant it belongs to is revoked.");
    }

    private void CheckNotExpired(AuthorizationCodeEntity root, RefreshTokenEntity row)
    {
        var now = time.GetUtcNow();
        if (now >= row.ExpiresAt || (root.GrantExpiresAt is { } grantExpiresAt && now >= grantExpiresAt))
        {
            throw OAuthProtocolException.InvalidGrant("The refresh token has expired.");
        }
    }

    /// <summary>RFC 8707: the grant's resources (recorded on its root, like its scope) bound the token's audience.</summary>
    private static IReadOnlyList<string> Audiences(AuthorizationCodeEntity root, FormParameters parameters, OAuthClient client) =>
        ResourceIndicators.GrantedWithin(parameters, ResourceLines.Split(root.Resources), client.AllowedResources);

    /// <summary>RFC 6749 section 6: the scope may only narrow; it narrows this access token, never the grant.</summary>
    private static string NarrowScope(string grantScope, string? requested)
    {
        if (requested is null)
        {
            return grantScope;
        }

        var granted = grantScope.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        var asked = requested.Split(' ', StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal).ToList();
        if (asked.FirstOrDefault(s => !granted.Contains(s)) is { } extra)
        {
            throw new OAuthProtocolException(OAuthErrorCodes.InvalidScope, $"The scope {ErrorText.Quote(extra)} exceeds the scope of the grant.");
        }

        return string.Join(' ', asked);
    }

    private static AccessTokenResponse Response(AccessToken accessToken, string refreshToken) =>
        new(accessToken.Value, AccessTokenResponse.BearerTokenType, accessToken.ExpiresInSeconds, accessToken.Scope, refreshToken);

    private static OAuthProtocolException Unknown() => OAuthProtocolException.InvalidGrant("The refresh token is unknown.");

    private static OAuthProtocolException Revoked() => OAuthProtocolException.InvalidGrant("The refresh token's grant is revoked.");

    [LoggerMessage(Level = LogLevel.Information, Message = "Client {ClientId} presented the just-rotated refresh token of grant {Grant} within the grace window; answered with the same successor.")]
    private static partial void LogGraceRetry(ILogger logger, string clientId, string grant);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Client {ClientId} reused a retired refresh token of grant {Grant}; the grant is revoked.")]
    private static partial void LogReuse(ILogger logger, string clientId, string grant);
}
