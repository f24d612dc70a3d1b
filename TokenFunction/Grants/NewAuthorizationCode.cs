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
    string? DpopJkt = null);
