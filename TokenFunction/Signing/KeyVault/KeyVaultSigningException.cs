namespace TokenFunction.Signing.KeyVault;

/// <summary>
/// Signing in (or reading keys from) Key Vault failed. The token endpoint maps it by <see cref="IsTransient"/>:
/// transient (throttled 429, 5xx, timeouts, network faults, retries exhausted) to 503 <c>temporarily_unavailable</c>;
/// not transient (401/403 access denied, 404, bad key material or configuration) to 500 <c>server_error</c>.
/// The operator-readable cause is logged where it is thrown; the message never goes to the client.
/// </summary>
public sealed class KeyVaultSigningException : Exception
{
    public KeyVaultSigningException(string message, bool isTransient, int? status = null, Exception? innerException = null)
        : base(message, innerException)
    {
        IsTransient = isTransient;
        Status = status;
    }

    /// <summary>True when a later retry may succeed: answer 503 temporarily_unavailable (with Retry-After when <see cref="RetryAfter"/> is set).</summary>
    public bool IsTransient { get; }

    /// <summary>The Key Vault HTTP status, when the vault answered.</summary>
    public int? Status { get; }

    /// <summary>The vault's Retry-After on a throttled response, when it asked for one.</summary>
    public TimeSpan? RetryAfter { get; init; }
}
