namespace TokenFunction.Storage;

/// <summary>
/// The first refresh token of a grant, inserted in the transaction that consumes the code, with the grant's absolute
/// expiry and the token sealed for a retry of the exchange (<see cref="CodeRetrySeal"/>).
/// </summary>
public sealed record NewRefreshToken(RefreshTokenEntity Row, DateTimeOffset GrantExpiresAt, string SealedForRetry);
