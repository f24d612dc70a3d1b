namespace TokenFunction.Signing.KeyVault;

/// <summary>
/// Signing in (or reading keys from) Key Vault failed. The token endpoint maps it by <see cref="SigningException.IsTransient"/>:
/// transient (throttled 429, 5xx, timeouts, network faults, retries exhausted) to 503 <c>temporarily_unavailable</c>;
/// not transient (401/403 access denied, 404, bad key material or configuration) to 500 <c>server_error</c>.
/// The operator-readable cause is logged where it is thrown; the message never goes to the client.
/// </summary>
public sealed class KeyVaultSigningException : SigningException
{
    public KeyVaultSigningException(string message, bool isTransient, int? status = null, Exception? innerException = null)
        : base(message, isTransient, innerException)
    {
        Status = status;
    }

    /// <summary>The Key Vault HTTP status, when the vault answered.</summary>
    public int? Status { get; }
}
