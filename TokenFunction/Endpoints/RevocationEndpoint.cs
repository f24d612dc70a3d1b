using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using TokenFunction.Clients;
using TokenFunction.Protocol;
using TokenFunction.Storage;

namespace TokenFunction.Endpoints;

/// <summary>
/// POST /api/v1/oauth/revoke (RFC 7009), independent of any host. The request is read and the client authenticated
/// exactly as at the token endpoint. Revoking a refresh token revokes its whole grant (every refresh token of it).
/// Access tokens are self-contained JWTs that resource servers validate without calling back, so there is nothing to
/// revoke: they end at their short expiry. Whatever the token (unknown, already revoked, an access token, another
/// client's), an authenticated request is answered 200 with an empty body, so the answer is no oracle for tokens.
/// </summary>
public sealed partial class RevocationEndpoint(
    FormRequest form,
    ClientAuthenticator authenticator,
    RefreshTokenStore refreshTokens,
    AuthorizationCodeStore grants,
    ILogger<RevocationEndpoint> logger)
{
    public Task<OAuthResult> HandleAsync(HttpRequest request, CancellationToken cancellationToken) =>
        form.HandleAsync(request, logger, async (parameters, record, requestAborted) =>
        {
            var credentials = ClientCredentialsParser.Parse(request.Headers.Authorization, parameters);
            record.ClientId = credentials.ClientId;
            var client = await authenticator.AuthenticateAsync(credentials, requestAborted).ConfigureAwait(false);
            var token = parameters.Required(OAuthParameterNames.Token);

            // The hint is not needed: a refresh token is recognised by its format, and anything else (an access token,
            // garbage) has nothing stored to revoke. An unknown hint is ignored (RFC 7009 section 2.1).
            var outcome = await RevokeAsync(client.ClientId, token, requestAborted).ConfigureAwait(false);
            record.Outcome = outcome.ToString();
            return OAuthResult.Revoked();
        }, cancellationToken);

    /// <summary>
    /// A refresh token of this client, live or retired, revokes its grant (a conditional Merge of RevokedAt on the
    /// grant's root row). After the client read: the root and the token row in parallel, the Merge, the purge index row.
    /// </summary>
    private async Task<RevocationOutcome> RevokeAsync(string clientId, string token, CancellationToken cancellationToken)
    {
        if (!RefreshTokens.TryParse(token, out var grantId, out var rowKey))
        {
            return RevocationOutcome.NotARefreshToken;
        }

        AuthorizationCodeEntity? root;
        RefreshTokenEntity? row;
        try
        {
            (root, row) = await refreshTokens.FindAsync(grantId, rowKey, cancellationToken).ConfigureAwait(false);
        }
        catch (MalformedRowException e)
        {
            // Still 200: the answer must not tell this token from any other. The grant cannot issue tokens anyway.
            LogUnreadable(logger, e.ShortId, e.Problem);
            return RevocationOutcome.Unreadable;
        }

        if (root is null || row is null)
        {
            return RevocationOutcome.Unknown;
        }

        if (!string.Equals(root.ClientId, clientId, StringComparison.Ordinal))
        {
            return RevocationOutcome.AnotherClients;
        }

        if (root.RevokedAt is not null)
        {
            return RevocationOutcome.AlreadyRevoked;
        }

        await grants.RevokeGrantAsync(root, cancellationToken).ConfigureAwait(false);
        LogGrantRevoked(logger, clientId, GrantKeys.ForLog(grantId));
        return RevocationOutcome.Revoked;
    }

    private enum RevocationOutcome
    {
        Revoked,
        AlreadyRevoked,
        Unknown,
        AnotherClients,
        NotARefreshToken,
        Unreadable,
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Client {ClientId} revoked the refresh tokens of grant {Grant}.")]
    private static partial void LogGrantRevoked(ILogger logger, string clientId, string grant);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A revocation named grant {Grant}, whose rows cannot be read ({Problem}); answered 200 and revoked nothing.")]
    private static partial void LogUnreadable(ILogger logger, string grant, string problem);
}
