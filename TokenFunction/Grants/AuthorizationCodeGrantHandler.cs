using Microsoft.Extensions.Logging;
using TokenFunction.Protocol;
using TokenFunction.Signing;
using TokenFunction.Storage;

namespace TokenFunction.Grants;

/// <summary>
/// The authorization code grant (RFC 6749 section 4.1.3) with PKCE (RFC 7636) as OAuth 2.1 and RFC 9700 shape it:
/// the code is single-use, bound to its client and redirect URI, and a replay revokes its grant.
/// </summary>
public sealed partial class AuthorizationCodeGrantHandler(
    AuthorizationCodeStore codes,
    AccessTokenFactory tokens,
    RefreshTokenPolicy refreshPolicy,
    TimeProvider time,
    ILogger<AuthorizationCodeGrantHandler> logger) : IGrantHandler
{
    public string GrantType => GrantTypeNames.AuthorizationCode;

    public async Task<AccessTokenResponse> HandleAsync(GrantRequest request, CancellationToken cancellationToken)
    {
        var parameters = request.Parameters;
        var client = request.Client;
        var code = parameters.Required(OAuthParameterNames.Code);
        var redirectUri = parameters.Required(OAuthParameterNames.RedirectUri);
        var verifier = parameters[OAuthParameterNames.CodeVerifier];
        if (verifier is not null && !Pkce.IsValidVerifier(verifier))
        {
            throw OAuthProtocolException.InvalidRequest(
                $"The code_verifier must be {Pkce.MinVerifierLength} to {Pkce.MaxVerifierLength} characters of A-Z, a-z, 0-9, '-', '.', '_' and '~'.");
        }

        var grant = await codes.FindAsync(code, cancellationToken).ConfigureAwait(false)
            ?? throw OAuthProtocolException.InvalidGrant("The authorization code is unknown.");

        // A redeemed code in anyone's hands has leaked: revoke whatever it issued, whoever presents it.
        if (grant.IsRedeemed)
        {
            LogReplay(logger, client.ClientId, GrantKeys.ForLog(grant.PartitionKey));
            await codes.RevokeGrantAsync(grant, cancellationToken).ConfigureAwait(false);
            throw AlreadyRedeemed();
        }

        if (!string.Equals(grant.ClientId, client.ClientId, StringComparison.Ordinal))
        {
            throw OAuthProtocolException.InvalidGrant("The authorization code was issued to another client.");
        }

        // An operator's revoke-all (tokenctl grant revoke) reaches codes not yet redeemed, too.
        if (grant.RevokedAt is not null)
        {
            throw OAuthProtocolException.InvalidGrant("The authorization code's grant is revoked.");
        }

        if (time.GetUtcNow() >= grant.ExpiresAt)
        {
            throw OAuthProtocolException.InvalidGrant("The authorization code has expired.");
        }

        if (!string.Equals(grant.RedirectUri, redirectUri, StringComparison.Ordinal))
        {
            throw OAuthProtocolException.InvalidGrant("The redirect_uri differs from the one the authorization code was issued for.");
        }

        CheckProofKey(grant, verifier, client);

        // RFC 8707: judged before the code is consumed, so an invalid_target leaves it redeemable. The grant keeps all
        // of the code's resources; the ones asked for narrow only this access token, as a narrower scope would.
        var audiences = ResourceIndicators.GrantedWithin(parameters, ResourceLines.Split(grant.Resources), client.AllowedResources);

        // Sign first: a signing fault then leaves the code unconsumed, so the client can redeem it once the
        // signer answers again. The token is released only if this request is the one that consumes the code.
        var signing = tokens.CreateAsync(new AccessTokenDescriptor(grant.Subject, client.ClientId, grant.Scope, audiences), cancellationToken);

        // The first refresh token is inserted in the same transaction that consumes the code: both or neither.
        string? refreshToken = null;
        NewRefreshToken? refreshRow = null;
        var indexing = Task.CompletedTask;
        if (RefreshTokenPolicy.IsIssuedTo(client))
        {
            var now = time.GetUtcNow();
            var grantExpiresAt = now + refreshPolicy.AbsoluteLifetime(client);
            refreshToken = RefreshTokens.NewToken(grant.PartitionKey);
            refreshRow = new NewRefreshToken(refreshPolicy.NewRow(grant.PartitionKey, refreshToken, client, now, grantExpiresAt), grantExpiresAt);

            // The index rows (other tables) go first, while the token is being signed.
            indexing = codes.IndexRefreshGrantAsync(grant, grantExpiresAt, cancellationToken);
        }

        await Task.WhenAll(signing, indexing).ConfigureAwait(false);
        var token = await signing.ConfigureAwait(false);

        if (await codes.RedeemAsync(grant, refreshRow, cancellationToken).ConfigureAwait(false) != RedeemOutcome.Redeemed)
        {
            LogReplay(logger, client.ClientId, GrantKeys.ForLog(grant.PartitionKey));
            throw AlreadyRedeemed();
        }

        return new AccessTokenResponse(token.Value, AccessTokenResponse.BearerTokenType, token.ExpiresInSeconds, token.Scope, refreshToken);
    }

    private static void CheckProofKey(AuthorizationCodeEntity grant, string? verifier, Clients.OAuthClient client)
    {
        if (grant.CodeChallenge is null || grant.CodeChallengeMethod is null)
        {
            if (verifier is not null)
            {
                throw OAuthProtocolException.InvalidGrant("The authorization code was issued without a code_challenge, so no code_verifier may be sent.");
            }

            if (client.IsPublic)
            {
                throw OAuthProtocolException.InvalidGrant("Public clients must use PKCE, and this authorization code has no code_challenge.");
            }

            return;
        }

        if (verifier is null)
        {
            throw OAuthProtocolException.InvalidGrant("The authorization code was issued with a code_challenge; send its code_verifier.");
        }

        if (grant.CodeChallengeMethod == Pkce.Plain && !client.AllowPlainPkce)
        {
            throw OAuthProtocolException.InvalidGrant("The client is not allowed the plain code_challenge_method.");
        }

        if (!Pkce.Matches(verifier, grant.CodeChallenge, grant.CodeChallengeMethod))
        {
            throw OAuthProtocolException.InvalidGrant("The code_verifier does not match the code_challenge.");
        }
    }

    private static OAuthProtocolException AlreadyRedeemed() =>
        OAuthProtocolException.InvalidGrant("The authorization code was already redeemed; the grant it started is revoked.");

    [LoggerMessage(Level = LogLevel.Warning, Message = "Client {ClientId} replayed the authorization code of grant {Grant}.")]
    private static partial void LogReplay(ILogger logger, string clientId, string grant);
}
