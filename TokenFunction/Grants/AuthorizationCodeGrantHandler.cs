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

        var presented = new PresentedCode(code, redirectUri, verifier, parameters, client, request.DpopThumbprint);

        // A code this service issued carries its grant: judged from the code and consumed by one conditional write, with
        // no read. Whatever that does not settle (a code consumed, revoked or changed since, or a refusal) is judged below
        // from the record as it now is, so every answer but a plain success is the one a read gives.
        if (IssuedCodes.TryRead(code, out var issued) && await RedeemAsIssuedAsync(issued, presented, cancellationToken).ConfigureAwait(false) is { } answer)
        {
            return answer;
        }

        var grant = await codes.FindByCodeAsync(code, cancellationToken).ConfigureAwait(false)
            ?? throw OAuthProtocolException.InvalidGrant("The authorization code is unknown.");
        if (grant.IsRedeemed)
        {
            return await AnswerRedeemedAsync(grant, presented, cancellationToken).ConfigureAwait(false);
        }

        if (Refusal(grant, presented) is { } refusal)
        {
            throw OAuthProtocolException.InvalidGrant(refusal);
        }

        // RFC 8707: judged before the code is consumed, so an invalid_target leaves it redeemable. The grant keeps all
        // of the code's resources; the ones asked for narrow only this access token, as a narrower scope would.
        var audiences = ResourceIndicators.GrantedWithin(parameters, grant.Resources, client.AllowedResources);
        var issuing = Issue(grant, presented, audiences, cancellationToken);
        var token = await issuing.Signing.ConfigureAwait(false);
        var redemption = await codes.RedeemAsync(grant, issuing.First, cancellationToken).ConfigureAwait(false);
        if (redemption.Outcome != RedeemOutcome.Redeemed)
        {
            return await AnswerRedeemedAsync(redemption.Current, presented, cancellationToken).ConfigureAwait(false);
        }

        audit.UserTokenIssued(client.ClientId, GrantType, GrantKeys.ForLog(grant.GrantId), grant.Subject);
        return TokenResponses.Issued(token, issuing.RefreshToken);
    }

    /// <summary>
    /// The exchange of a code that carries its grant (<see cref="IssuedCodes"/>), judged from the code: the token set when
    /// the grant is still as issued and this request consumed it; null when the record must decide (a refusal too, so
    /// that a replayed code is a replay whatever else is wrong with the request).
    /// </summary>
    private async Task<AccessTokenResponse?> RedeemAsIssuedAsync(AuthorizationGrant issued, PresentedCode presented, CancellationToken cancellationToken)
    {
        if (Refusal(issued, presented) is not null)
        {
            return null;
        }

        IReadOnlyList<string> audiences;
        try
        {
            audiences = ResourceIndicators.GrantedWithin(presented.Parameters, issued.Resources, presented.Client.AllowedResources);
        }
        catch (OAuthProtocolException)
        {
            return null;
        }

        var issuing = Issue(issued, presented, audiences, cancellationToken);
        var token = await issuing.Signing.ConfigureAwait(false);
        if (!await codes.RedeemAsIssuedAsync(issued, issuing.First, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        audit.UserTokenIssued(presented.Client.ClientId, GrantType, GrantKeys.ForLog(issued.GrantId), issued.Subject);
        return TokenResponses.Issued(token, issuing.RefreshToken);
    }

    /// <summary>Why an unredeemed grant's code is refused to this request; null when it is not.</summary>
    private string? Refusal(AuthorizationGrant grant, PresentedCode presented)
    {
        if (!string.Equals(grant.ClientId, presented.Client.ClientId, StringComparison.Ordinal))
        {
            return "The authorization code was issued to another client.";
        }

        // An operator's revoke-all (tokenctl grant revoke) reaches codes not yet redeemed, too.
        if (grant.IsRevoked)
        {
            return "The authorization code's grant is revoked.";
        }

        if (time.GetUtcNow() >= grant.ExpiresAt)
        {
            return "The authorization code has expired.";
        }

        if (!string.Equals(grant.RedirectUri, presented.RedirectUri, StringComparison.Ordinal))
        {
            return "The redirect_uri differs from the one the authorization code was issued for.";
        }

        if (ProofKeyProblem(grant, presented.Verifier, presented.Client) is { } problem)
        {
            return problem;
        }

        // RFC 9449 section 10: a code the authorize step bound to a DPoP key (dpop_jkt) needs a proof of that key.
        if (grant.DpopJkt is { } jkt && !string.Equals(jkt, presented.DpopThumbprint, StringComparison.Ordinal))
        {
            return "The authorization code is bound to a DPoP key (dpop_jkt); send a DPoP proof of that key.";
        }

        // A user's token must never pass for the client's own (client_credentials: sub = client_id).
        return string.Equals(grant.Subject, presented.Client.ClientId, StringComparison.Ordinal)
            ? "The authorization code's subject is the client's own id; a user's token must not look like a client's."
            : null;
    }

    /// <summary>
    /// The access token being signed, and the first refresh token to be written by the same conditional write that
    /// consumes the code (both or neither). Signing comes first: a signing fault then leaves the code unconsumed, so the
    /// client can redeem it once the signer answers again; the token is released only if this request consumes the code.
    /// </summary>
    private Issuing Issue(AuthorizationGrant grant, PresentedCode presented, IReadOnlyList<string> audiences, CancellationToken cancellationToken)
    {
        var client = presented.Client;
        var signing = tokens.CreateAsync(new AccessTokenDescriptor(grant.Subject, client.ClientId, grant.Scope, audiences, presented.DpopThumbprint), cancellationToken);
        if (!RefreshTokenPolicy.IsIssuedTo(client))
        {
            return new Issuing(signing, null, null);
        }

        var now = time.GetUtcNow();
        var grantExpiresAt = now + refreshPolicy.AbsoluteLifetime(client);
        var refreshToken = RefreshTokens.NewToken(grant.GrantId);
        var record = refreshPolicy.NewRecord(grant.GrantId, refreshToken, client, now, grantExpiresAt) with
        {
            DpopThumbprint = RefreshTokenPolicy.BindingFor(client, presented.DpopThumbprint),
        };
        return new Issuing(signing, refreshToken, new FirstRefreshToken(record, grantExpiresAt, CodeRetrySeal.Seal(presented.Code, presented.Verifier, refreshToken, grant.GrantId)));
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

    /// <summary>What the request presented, carried to the judgement of a code.</summary>
    private sealed record PresentedCode(string Code, string RedirectUri, string? Verifier, FormParameters Parameters, OAuthClient Client, string? DpopThumbprint);

    /// <summary>An access token being signed, and the refresh token the redemption writes with the code's consumption.</summary>
    private sealed record Issuing(Task<AccessToken> Signing, string? RefreshToken, FirstRefreshToken? First);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Client {ClientId} replayed the authorization code of grant {Grant}; the grant is revoked.")]
    private static partial void LogReplay(ILogger logger, string clientId, string grant);

    [LoggerMessage(Level = LogLevel.Information, Message = "Client {ClientId} retried the code exchange of grant {Grant} within the retry window; answered with the grant's refresh token again.")]
    private static partial void LogRetryAnswered(ILogger logger, string clientId, string grant);
}
