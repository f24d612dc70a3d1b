namespace TokenFunction.Grants;

/// <summary>
/// DPoP proof replay (RFC 9449 section 11.1): each proof's <c>jti</c>, per key, is accepted once while the proof could
/// still be accepted; of two requests with one proof exactly one gets through. The same contract as client assertion
/// ids (<see cref="Clients.Assertions.IAssertionReplayStore"/>): a write retried after a lost answer is recognised.
/// </summary>
public interface IDpopProofReplayStore
{
    /// <summary>Records the proof's jti, for the key with <paramref name="thumbprint"/>, as used until <paramref name="acceptableUntil"/>.</summary>
    /// <returns>False when the jti was already used with that key by a proof that is still acceptable.</returns>
    Task<bool> TryUseAsync(string thumbprint, string jwtId, DateTimeOffset acceptableUntil, CancellationToken cancellationToken);
}
