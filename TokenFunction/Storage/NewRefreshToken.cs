namespace TokenFunction.Storage;

/// <summary>The first refresh token of a grant, inserted in the transaction that consumes the code.</summary>
public sealed record NewRefreshToken(RefreshTokenEntity Row, DateTimeOffset GrantExpiresAt);
