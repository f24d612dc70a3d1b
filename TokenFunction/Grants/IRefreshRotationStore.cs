namespace TokenFunction.Grants;

/// <summary>
/// Refresh rotation: a grant's refresh tokens, and the rotation that retires one and adds its successor atomically,
/// conditional on the grant and the old token being as read (so a revocation or another rotation that lands first
/// fails it). Exactly one concurrent rotation of a token wins; a store whose write may be retried after a lost answer
/// must recognise its own earlier success.
/// </summary>
public interface IRefreshRotationStore
{
    /// <summary>The grant and the token record, read together.</summary>
    /// <exception cref="MalformedRowException">Either record breaks the documented layout.</exception>
    Task<(AuthorizationGrant? Grant, RefreshTokenRecord? Token)> FindAsync(string grantId, string tokenKey, CancellationToken cancellationToken);

    /// <summary>
    /// The grant and the token for a rotation: as <see cref="FindAsync"/>, or the state a store knows without a read
    /// because its own last write left the token live. That state may be stale, which only
    /// <see cref="RotateAsync"/>, conditional on its version, may rely on finding out: nothing else may be answered from it.
    /// </summary>
    /// <exception cref="MalformedRowException">Either record breaks the documented layout.</exception>
    Task<(AuthorizationGrant? Grant, RefreshTokenRecord? Token)> FindForRotationAsync(string grantId, string tokenKey, CancellationToken cancellationToken);

    Task<RefreshTokenRecord?> FindTokenAsync(string grantId, string tokenKey, CancellationToken cancellationToken);

    /// <summary>
    /// Retires <paramref name="old"/> (recording the successor's key and <paramref name="sealedSuccessor"/>), adds
    /// <paramref name="successor"/>, and moves the grant's idle expiry to the successor's, all or nothing.
    /// </summary>
    /// <exception cref="ArgumentException">The grant or the token was not read from a store.</exception>
    Task<RotateResult> RotateAsync(AuthorizationGrant grant, RefreshTokenRecord old, RefreshTokenRecord successor, string sealedSuccessor, CancellationToken cancellationToken);
}

/// <summary>What a rotation attempt ended as.</summary>
public enum RotateOutcome
{
    /// <summary>This request retired the old token and added the successor.</summary>
    Rotated,

    /// <summary>Another request retired the old token first; <see cref="RotateResult.Current"/> holds its record.</summary>
    RetiredByAnother,

    /// <summary>The grant was revoked meanwhile.</summary>
    Revoked,

    /// <summary>The grant or the token is gone (purged).</summary>
    Gone,
}

public sealed record RotateResult(RotateOutcome Outcome, AuthorizationGrant? Grant = null, RefreshTokenRecord? Current = null);
