namespace TokenFunction.Signing;

/// <summary>The source of the key that signs access tokens and of the public keys that verify them.</summary>
public interface ISigningKeyProvider
{
    /// <summary>The key that signs now. Implementations cache it: the hot path does no I/O here.</summary>
    ValueTask<ISigningKey> GetSigningKeyAsync(CancellationToken cancellationToken);

    /// <summary>Every public key that may verify a live token, for the JWKS document.</summary>
    ValueTask<IReadOnlyList<PublicJsonWebKey>> GetPublicKeysAsync(CancellationToken cancellationToken);
}
