namespace TokenFunction.Clients.Assertions;

/// <summary>
/// Assertion replay: each client assertion id (<c>jti</c>) is single-use while its assertion could still be accepted
/// (RFC 7523 section 3, item 7). Of two requests with one jti exactly one is accepted, and an id whose assertion has
/// expired may be used once more. A store whose write may be retried after a lost answer must recognise its own use.
/// </summary>
public interface IAssertionReplayStore
{
    /// <summary>Records the jti as used until <paramref name="acceptableUntil"/>.</summary>
    /// <returns>False when the jti was already used by an assertion that is still acceptable.</returns>
    Task<bool> TryUseAsync(string clientId, string jwtId, DateTimeOffset acceptableUntil, CancellationToken cancellationToken);
}
