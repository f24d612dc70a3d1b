using Microsoft.Extensions.Logging;
using TokenFunction.Protocol;
using TokenFunction.Signing;
using TokenFunction.Telemetry;

namespace TokenFunction.Grants;

/// <summary>
/// The refresh token grant (RFC 6749 section 6) with rotation and reuse detection (RFC 9700 section 4.14, OAuth 2.1):
/// every use retires the presented token and returns a successor; presenting a retired token after the grace window
/// revokes the whole grant. Within the grace window a retired token answers with the SAME successor (a client that lost
/// the response, or concurrent users of one token), never a second live token.
/// </summary>
public sealed partial class RefreshTokenGrantHandler(
    IRefreshRotationStore refreshTokens,
    IGrantRevocationStore revocations,
    AccessTokenFactory tokens,
    RefreshTokenPolicy policy,
    TimeProvider time,
    AuditLog audit,
    ILogger<RefreshTokenGrantHandler> logger) : IGrantHandler
{
    public string GrantType => GrantTypeNames.RefreshToken;

    public GrantParameters Parameters { get; } = new([OAuthParameterNames.RefreshToken], [OAuthParameterNames.Scope, OAuthParameterNames.Resource]);

    public async Task<AccessTokenResponse> HandleAsync(GrantRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var client = request.Client;
        var presented = request.Parameters.Required(OAuthParameterNames.RefreshToken);
        // What is judged here before the rotation is the grant's and the token's for good (client, binding, expiry,
        // scope), or is caught by the rotation's If-Match (revoked, retired): so the store may answer from its last write.
        var found = await RefreshTokenLookup.FindForRotationAsync(refreshTokens, presented, client, cancellationToken).ConfigureAwait(false);
        switch (found.Match)
        {
            case RefreshTokenMatch.NotARefreshToken or RefreshTokenMatch.Unknown:
                throw Unknown();
            case RefreshTokenMatch.AnotherClients:
                throw OAuthProtocolException.InvalidGrant("The refresh token was issued to another client.");
        }

        var (grant, row) = (found.Grant!, found.Token!);

        // RFC 9449 section 5: a token bound to a DPoP key (a public client's) is refused without a proof of that key,
        // before anything else: a request that cannot prove possession is not the client's, so it revokes nothing.
        if (row.DpopThumbprint is { } bound && !string.Equals(bound, request.DpopThumbprint, StringComparison.Ordinal))
        {
            throw OAuthProtocolException.InvalidGrant(request.DpopThumbprint is null
                ? "The refresh token is bound to a DPoP key; send a DPoP proof of that key."
                : "The refresh token is bound to another DPoP key.");
        }

        if (grant.IsRevoked)
        {
            throw Revoked();
        }

        // A retired token is judged before its expiry, its scope and its resources: a reuser must not dodge revocation
        // by waiting for the token to expire or by asking for a scope or a resource the grant does not have.
        if (row.IsRetired)
        {
            return await AnswerRetiredAsync(grant, row, presented, request, cancellationToken).ConfigureAwait(false);
        }

        var now = time.GetUtcNow();
        if (now >= row.ExpiresAt || (grant.GrantExpiresAt is { } grantExpiresAt && now >= grantExpiresAt))
        {
            throw OAuthProtocolException.InvalidGrant("The refresh token has expired.");
        }

        // Scope and RFC 8707 resources are checked before anything is rotated, so a refusal costs the client nothing.
        var descriptor = Descriptor(grant, request);

        // Sign first: a signer fault then leaves the refresh token unrotated and still usable.
        var accessToken = await tokens.CreateAsync(descriptor, cancellationToken).ConfigureAwait(false);
        var successorToken = RefreshTokens.NewToken(grant.GrantId);
        var successor = policy.NewRecord(grant.GrantId, successorToken, client, time.GetUtcNow(), grant.GrantExpiresAt ?? row.ExpiresAt) with
        {
            // The binding is the grant's, made at the code exchange: successors keep it.
            DpopThumbprint = row.DpopThumbprint,
        };
        var sealedSuccessor = RefreshTokens.Seal(presented, successorToken, row.AssociatedData);
        var result = await refreshTokens.RotateAsync(grant, row, successor, sealedSuccessor, cancellationToken).ConfigureAwait(false);
        return result.Outcome switch
        {
            RotateOutcome.Rotated => Issued(grant, client.ClientId, TokenResponses.Issued(accessToken, successorToken)),
            RotateOutcome.RetiredByAnother => await AnswerRetiredAsync(result.Grant!, result.Current!, presented, request, cancellationToken).ConfigureAwait(false),
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
        AuthorizationGrant grant, RefreshTokenRecord retired, string presented, GrantRequest request, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (grant.IsRevoked)
        {
            throw Revoked();
        }

        if (retired.RetiredAt is { } retiredAt && now < retiredAt + policy.ReuseGrace
            && retired.OpenSuccessor(presented) is { } successorToken
            && retired.SuccessorHash is { } successorKey)
        {
            var successor = await refreshTokens.FindTokenAsync(retired.GrantId, successorKey, cancellationToken).ConfigureAwait(false);
            if (successor is { IsRetired: false } && now < successor.ExpiresAt)
            {
                var descriptor = Descriptor(grant, request);
                LogGraceRetry(logger, request.Client.ClientId, GrantKeys.ForLog(grant.GrantId));
                var accessToken = await tokens.CreateAsync(descriptor, cancellationToken).ConfigureAwait(false);
                return Issued(grant, request.Client.ClientId, TokenResponses.Issued(accessToken, successorToken));
            }
        }

        var shortId = GrantKeys.ForLog(grant.GrantId);
        LogReuse(logger, request.Client.ClientId, shortId);
        audit.RefreshReuseDetected(request.Client.ClientId, shortId, grant.Subject);
        await revocations.RevokeAsync(grant, cancellationToken).ConfigureAwait(false);
        audit.GrantRevoked(grant.ClientId, shortId, grant.Subject, RevocationReason.RefreshReuse, request.Client.ClientId);
        throw OAuthProtocolException.InvalidGrant("The refresh token was already used; the grant it belongs to is revoked.");
    }

    private AccessTokenResponse Issued(AuthorizationGrant grant, string clientId, AccessTokenResponse response)
    {
        audit.UserTokenIssued(clientId, GrantType, GrantKeys.ForLog(grant.GrantId), grant.Subject);
        return response;
    }

    /// <summary>
    /// The access token a refresh issues: the grant's subject, the scope asked for (RFC 6749 section 6: it may only narrow,
    /// and narrows this token, never the grant) and the resources asked for within the grant's (RFC 8707).
    /// </summary>
    private static AccessTokenDescriptor Descriptor(AuthorizationGrant grant, GrantRequest request) =>
        new(grant.Subject, request.Client.ClientId, NarrowScope(grant.Scope, request.Parameters[OAuthParameterNames.Scope]),
            ResourceIndicators.GrantedWithin(request.Parameters, grant.Resources, request.Client.AllowedResources), request.DpopThumbprint);

    private static string NarrowScope(string grantScope, string? requested)
    {
        if (requested is null)
        {
            return grantScope;
        }

        var asked = Scopes.Parse(requested);
        if (Scopes.FirstOutside(asked, Scopes.Parse(grantScope).ToHashSet(StringComparer.Ordinal)) is { } extra)
        {
            throw new OAuthProtocolException(OAuthErrorCodes.InvalidScope, $"The scope {ErrorText.Quote(extra)} exceeds the scope of the grant.");
        }

        return Scopes.Join(asked);
    }

    private static OAuthProtocolException Unknown() => OAuthProtocolException.InvalidGrant("The refresh token is unknown.");

    private static OAuthProtocolException Revoked() => OAuthProtocolException.InvalidGrant("The refresh token's grant is revoked.");

    [LoggerMessage(Level = LogLevel.Information, Message = "Client {ClientId} presented the just-rotated refresh token of grant {Grant} within the grace window; answered with the same successor.")]
    private static partial void LogGraceRetry(ILogger logger, string clientId, string grant);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Client {ClientId} reused a retired refresh token of grant {Grant}; the grant is revoked.")]
    private static partial void LogReuse(ILogger logger, string clientId, string grant);
}
