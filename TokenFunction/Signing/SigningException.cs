namespace TokenFunction.Signing;

/// <summary>
/// Signing (or reading the keys that verify) failed in the signer's backing service. <see cref="IsTransient"/> tells a
/// fault a retry may cure (answered 503 <c>temporarily_unavailable</c>, with <see cref="RetryAfter"/> when the service
/// asked for a wait) from one an operator must fix (500). The cause is logged where it is thrown; the message never goes
/// to the client.
/// </summary>
public class SigningException : Exception
{
    public SigningException(string message, bool isTransient, Exception? innerException = null)
        : base(message, innerException)
    {
        IsTransient = isTransient;
    }

    /// <summary>True when a later retry may succeed.</summary>
    public bool IsTransient { get; }

    /// <summary>How long the signing service asked callers to wait, when it did.</summary>
    public TimeSpan? RetryAfter { get; init; }
}
