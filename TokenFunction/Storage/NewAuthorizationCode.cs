namespace TokenFunction.Storage;

/// <summary>What the authorize step decided, to be stored behind a new code.</summary>
public sealed record NewAuthorizationCode(
    string ClientId,
    string RedirectUri,
    string? CodeChallenge,
    string? CodeChallengeMethod,
    string Subject,
    string Scope,
    TimeSpan Lifetime);
