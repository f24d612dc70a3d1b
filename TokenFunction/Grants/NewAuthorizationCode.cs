namespace TokenFunction.Grants;

/// <summary>
/// What the authorize step decided, to be stored behind a new code. <paramref name="Resources"/>: the RFC 8707
/// resources granted (each registered for the client); the code can be redeemed only for a subset of them.
/// <paramref name="DpopJkt"/>: the authorization request's RFC 9449 <c>dpop_jkt</c>; the code then needs a proof of that key.
/// </summary>
public sealed record NewAuthorizationCode(
    string ClientId,
    string RedirectUri,
    string? CodeChallenge,
    string? CodeChallengeMethod,
    string Subject,
    string Scope,
    TimeSpan Lifetime,
    IReadOnlyList<string>? Resources = null,
    string? DpopJkt = null)
{
    /// <summary>
    /// The grant this decision starts, issued at <paramref name="issuedAt"/> with <paramref name="resources"/> as stored
    /// (each once); its id and version are the store's to give.
    /// </summary>
    public AuthorizationGrant ToGrant(DateTimeOffset issuedAt, IReadOnlyList<string> resources) => new()
    {
        GrantId = string.Empty,
        ClientId = ClientId,
        RedirectUri = RedirectUri,
        CodeChallenge = CodeChallenge,
        CodeChallengeMethod = CodeChallenge is null ? null : CodeChallengeMethod,
        Subject = Subject,
        Scope = Scope,
        Resources = resources,
        IssuedAt = issuedAt,
        ExpiresAt = issuedAt + Lifetime,
        DpopJkt = DpopJkt,
    };
}
