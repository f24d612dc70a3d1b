using Microsoft.Extensions.Logging;
using TokenFunction.Clients;
using TokenFunction.Telemetry;

namespace TokenFunction.Grants;

/// <summary>What a revocation request did; the endpoint answers 200 whatever it is (RFC 7009 section 2.2).</summary>
public enum RevocationOutcome
{
    Revoked,
    AlreadyRevoked,
    Unknown,
    AnotherClients,
    NotARefreshToken,
    Unreadable,
}

/// <summary>
/// RFC 7009 revocation of a refresh token: one of the client's own, live or retired, revokes its whole grant (a
/// conditional write, so a rotation racing it cannot issue a token after it). Access tokens are self-contained JWTs that
/// resource servers validate without calling back: there is nothing stored to revoke, and they end at their short expiry.
/// </summary>
public sealed partial class RefreshTokenRevocation(IRefreshRotationStore refreshTokens, IGrantRevocationStore grants, AuditLog audit, ILogger<RefreshTokenRevocation> logger)
{
    /// <summary>The <c>token_type_hint</c> is not needed: a refresh token is recognised by its format, anything else has nothing stored.</summary>
    public async Task<RevocationOutcome> RevokeAsync(OAuthClient client, string token, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        RefreshTokenLookup found;
        try
        {
            found = await RefreshTokenLookup.FindAsync(refreshTokens, token, client, cancellationToken).ConfigureAwait(false);
        }
        catch (MalformedRowException e)
        {
            // The answer must not tell this token from any other; the grant cannot issue tokens anyway.
            LogUnreadable(logger, e.ShortId, e.Problem);
            return RevocationOutcome.Unreadable;
        }

        switch (found.Match)
        {
            case RefreshTokenMatch.NotARefreshToken:
                return RevocationOutcome.NotARefreshToken;
            case RefreshTokenMatch.Unknown:
                return RevocationOutcome.Unknown;
            case RefreshTokenMatch.AnotherClients:
                return RevocationOutcome.AnotherClients;
        }

        var grant = found.Grant!;
        if (grant.IsRevoked)
        {
            return RevocationOutcome.AlreadyRevoked;
        }

        await grants.RevokeAsync(grant, cancellationToken).ConfigureAwait(false);
        LogGrantRevoked(logger, client.ClientId, GrantKeys.ForLog(grant.GrantId));
        audit.GrantRevoked(grant.ClientId, GrantKeys.ForLog(grant.GrantId), grant.Subject, RevocationReason.RevocationEndpoint, client.ClientId);
        return RevocationOutcome.Revoked;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Client {ClientId} revoked the refresh tokens of grant {Grant}.")]
    private static partial void LogGrantRevoked(ILogger logger, string clientId, string grant);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A revocation named grant {Grant}, whose rows cannot be read ({Problem}); answered 200 and revoked nothing.")]
    private static partial void LogUnreadable(ILogger logger, string grant, string problem);
}
