using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TokenFunction.Clients;
using TokenFunction.Protocol;
using TokenFunction.Signing;
using TokenFunction.Settings;
using TokenFunction.Telemetry;

namespace TokenFunction.Grants;

/// <summary>
/// The authorization code grant (RFC 6749 section 4.1.3) with PKCE (RFC 7636) as OAuth 2.1 and RFC 9700 shape it:
/// the code is single-use, bound to its client and redirect URI, and a replay revokes its grant. One exception, for a
/// client that lost the answer: the same client presenting the same code with the same verifier within
/// <see cref="TokenOptions.CodeRetryGraceSeconds"/> of the redemption, while the first refresh token is unused, gets a
/// fresh access token and that same refresh token (sealed on the code row), so a network fault never costs the user the
/// grant and never makes a second refresh family.
/// </summary>
public sealed partial class AuthorizationCodeGrantHandler(
    ICodeRedemptionStore codes,
    IRefreshRotationStore refreshTokens,
    IGrantRevocationStore revocations,
    AccessTokenFactory tokens,
    RefreshTokenPolicy refreshPolicy,
    IOptions<TokenOptions> options,
    TimeProvider time,
    AuditLog audit,
    ILogger<AuthorizationCodeGrantHandler> logger) : IGrantHandler
{
    public string GrantType => GrantTypeNames.AuthorizationCode;

    public GrantParameters Parameters { get; } = new(
        [OAuthParameterNames.Code, OAuthParameterNames.RedirectUri], [OAuthParameterNames.CodeVerifier, OAuthParameterNames.Resource]);

    public async Task<AccessTokenResponse> HandleAsync(GrantRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
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

        var grant = await codes.FindByCodeAsync(code, cancellationToken).ConfigureAwait(false)
            ?? throw OAuthProtocolException.InvalidGrant("The authorization code is unknown.");
        var presented = new PresentedCode(code, redirectUri, verifier, parameters, client, request.DpopThumbprint);

        if (grant.IsRedeemed)
        {
            return await AnswerRedeemedAsync(grant, presented, cancellationToken).ConfigureAwait(false);
        }

        if (!string.Equals(grant.ClientId, client.ClientId, StringComparison.Ordinal))
        {
            throw OAuthProtocolException.InvalidGrant("The authorization code was issued to another client.");
        }

        // An operator's revoke-all (tokenctl grant revoke) reaches codes not yet redeemed, too.
        if (grant.IsRevoked)
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

        if (ProofKeyProblem(grant, verifier, client) is { } problem)
        {
            throw OAuthProtocolException.InvalidGrant(problem);
        }

        // RFC 9449 section 10: a code the authorize step bound to a DPoP key (dpop_jkt) needs a proof of that key.
        if (grant.DpopJkt is { } jkt && !string.Equals(jkt, request.DpopThumbprint, StringComparison.Ordinal))
        {
            throw OAuthProtocolException.InvalidGrant("The authorization code is bound to a DPoP key (dpop_jkt); send a DPoP proof of that key.");
        }

        // A user's token must never pass for the client's own (client_credentials: sub = client_id).
        if (string.Equals(grant.Subject, client.ClientId, StringComparison.Ordinal))
        {
            throw OAuthProtocolException.InvalidGrant("The authorization code's subject is the client's own id; a user's token must not look like a client's.");
        }

        // RFC 8707: judged before the code is consumed, so an invalid_target leaves it redeemable. The grant keeps all
        // of the code's resources; the ones asked for narrow only this access token, as a narrower scope would.
        var audiences = ResourceIndicators.GrantedWithin(parameters, grant.Resources, client.AllowedResources);

        // Sign first: a signing fault then leaves the code unconsumed, so the client can redeem it once the
        // signer answers again. The token is released only if this request is the one that consumes the code.
        var signing = tokens.CreateAsync(new AccessTokenDescriptor(grant.Subject, client.ClientId, grant.Scope, audiences, request.DpopThumbprint), cancellationToken);

        // The first refresh token is written by the same conditional write that consumes the code: both or neither.
        string? refreshToken = null;
        FirstRefreshToken? first = null;
        if (RefreshTokenPolicy.IsIssuedTo(client))
        {
            var now = time.GetUtcNow();
            var grantExpiresAt = now + refreshPolicy.AbsoluteLifetime(client);
            refreshToken = RefreshTokens.NewToken(grant.GrantId);
            var record = refreshPolicy.NewRecord(grant.GrantId, refreshToken, client, now, grantExpiresAt) with
            {
                DpopThumbprint = RefreshTokenPolicy.BindingFor(client, request.DpopThumbprint),
            };
            first = new FirstRefreshToken(record, grantExpiresAt, CodeRetrySeal.Seal(code, verifier, refreshToken, grant.GrantId));
        }

        var token = await signing.ConfigureAwait(false);

        var redemption = await codes.RedeemAsync(grant, first, cancellationToken).ConfigureAwait(false);
        if (redemption.Outcome != RedeemOutcome.Redeemed)
        {
            return await AnswerRedeemedAsync(redemption.Current, presented, cancellationToken).ConfigureAwait(false);
        }

        audit.UserTokenIssued(client.ClientId, GrantType, GrantKeys.ForLog(grant.GrantId), grant.Subject);
        return TokenResponses.Issued(token, refreshToken);
    }

    /// <summary>
    /// The code was redeemed already (by another request, perhaps this client's own whose answer was lost): the lost
    /// answer's retry gets the grant's token set again; anything else is a replay of a leaked code, and the grant is
    /// revoked whoever presents it (RFC 6749 section 4.1.2).
    /// </summary>
    private async Task<AccessTokenResponse> AnswerRedeemedAsync(AuthorizationGrant? current, PresentedCode presented, CancellationToken cancellationToken)
    {
        if (current is null || current.IsRevoked)
        {
            throw AlreadyRedeemed();
        }

        if (IsRetryOfThisClient(current, presented) && await ReissueAsync(current, presented, cancellationToken).ConfigureAwait(false) is { } response)
        {
            LogRetryAnswered(logger, presented.Client.ClientId, GrantKeys.ForLog(current.GrantId));
            audit.UserTokenIssued(presented.Client.ClientId, GrantType, GrantKeys.ForLog(current.GrantId), current.Subject);
            return response;
        }

        var grant = GrantKeys.ForLog(current.GrantId);
        LogReplay(logger, presented.Client.ClientId, grant);
        audit.CodeReplayDetected(presented.Client.ClientId, grant, current.Subject);
        await revocations.RevokeAsync(current, cancellationToken).ConfigureAwait(false);
        audit.GrantRevoked(current.ClientId, grant, current.Subject, RevocationReason.CodeReplay, presented.Client.ClientId);
        throw AlreadyRedeemed();
    }

    /// <summary>The same client, the same redirect URI and verifier (and DPoP key of a bound code), within the window after the redemption.</summary>
    private bool IsRetryOfThisClient(AuthorizationGrant grant, PresentedCode presented) =>
        options.Value.CodeRetryGraceSeconds > 0
        && grant.RedeemedAt is { } redeemedAt
        && time.GetUtcNow() < redeemedAt + TimeSpan.FromSeconds(options.Value.CodeRetryGraceSeconds)
        && string.Equals(grant.ClientId, presented.Client.ClientId, StringComparison.Ordinal)
        && string.Equals(grant.RedirectUri, presented.RedirectUri, StringComparison.Ordinal)
        && (grant.DpopJkt is null || string.Equals(grant.DpopJkt, presented.DpopThumbprint, StringComparison.Ordinal))
        && ProofKeyProblem(grant, presented.Verifier, presented.Client) is null;

    /// <summary>
    /// A new access token and the grant's first refresh token, opened with the code and verifier; null when that refresh
    /// token has been used (the client did get the answer) or cannot be recovered, which makes the request a replay.
    /// </summary>
    private async Task<AccessTokenResponse?> ReissueAsync(AuthorizationGrant grant, PresentedCode presented, CancellationToken cancellationToken)
    {
        string? refreshToken = null;
        if (grant.SealedRefreshToken is { } sealedToken)
        {
            refreshToken = CodeRetrySeal.Open(presented.Code, presented.Verifier, sealedToken, grant.GrantId);
            if (refreshToken is null)
            {
                return null;
            }

            var row = await refreshTokens.FindTokenAsync(grant.GrantId, RefreshTokens.RowKeyOf(refreshToken), cancellationToken).ConfigureAwait(false);
            if (row is not { IsRetired: false } || time.GetUtcNow() >= row.ExpiresAt)
            {
                return null;
            }

            // A refresh token bound to a DPoP key goes back only to a holder of that key.
            if (row.DpopThumbprint is { } bound && !string.Equals(bound, presented.DpopThumbprint, StringComparison.Ordinal))
            {
                return null;
            }
        }
        else if (grant.GrantExpiresAt is not null)
        {
            // Refresh tokens were issued but not sealed for a retry: the same one cannot be given back.
            return null;
        }

        var audiences = ResourceIndicators.GrantedWithin(presented.Parameters, grant.Resources, presented.Client.AllowedResources);
        var token = await tokens.CreateAsync(
            new AccessTokenDescriptor(grant.Subject, presented.Client.ClientId, grant.Scope, audiences, presented.DpopThumbprint), cancellationToken).ConfigureAwait(false);
        return TokenResponses.Issued(token, refreshToken);
    }

    /// <summary>Why the verifier does not satisfy the code's PKCE binding (RFC 7636 section 4.6); null when it does.</summary>
    private static string? ProofKeyProblem(AuthorizationGrant grant, string? verifier, OAuthClient client)
    {
        if (grant.CodeChallenge is null || grant.CodeChallengeMethod is null)
        {
            return verifier is not null ? "The authorization code was issued without a code_challenge, so no code_verifier may be sent."
                : client.IsPublic ? "Public clients must use PKCE, and this authorization code has no code_challenge."
                : null;
        }

        if (verifier is null)
        {
            return "The authorization code was issued with a code_challenge; send its code_verifier.";
        }

        if (grant.CodeChallengeMethod == Pkce.Plain && !client.AllowPlainPkce)
        {
            return "The client is not allowed the plain code_challenge_method.";
        }

        return Pkce.Matches(verifier, grant.CodeChallenge, grant.CodeChallengeMethod) ? null : "The code_verifier does not match the code_challenge.";
    }

    private static OAuthProtocolException AlreadyRedeemed() =>
        OAuthProtocolException.InvalidGrant("The authorization code was already redeemed; the grant it started is revoked.");

    /// <summary>What the request presented, carried to the judgement of a redeemed code.</summary>
    private sealed record PresentedCode(string Code, string RedirectUri, string? Verifier, FormParameters Parameters, OAuthClient Client, string? DpopThumbprint);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Client {ClientId} replayed the authorization code of grant {Grant}; the grant is revoked.")]
    private static partial void LogReplay(ILogger logger, string clientId, string grant);

    [LoggerMessage(Level = LogLevel.Information, Message = "Client {ClientId} retried the code exchange of grant {Grant} within the retry window; answered with the grant's refresh token again.")]
    private static partial void LogRetryAnswered(ILogger logger, string clientId, string grant);
}
