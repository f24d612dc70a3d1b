using TokenFunction.Protocol;

namespace TokenFunction.Clients.Assertions;

/// <summary>
/// A client's JWKS could not be obtained from its <c>jwks_uri</c> and no earlier copy may stand in. The message says
/// what failed (timeout, HTTP status, size, parse error) in words the client's operator can act on, never the
/// document or a stack detail, and it is kept within the characters of an OAuth <c>error_description</c>.
/// </summary>
public sealed class ClientJwksUnavailableException : Exception
{
    public ClientJwksUnavailableException(string message, Exception? innerException = null)
        // Parse errors quote JSON member names with '"', which error_description does not allow.
        : base(ErrorText.Sanitize(message.Replace('"', '\'')), innerException)
    {
    }

    /// <summary>"The client's JWKS could not be fetched: <paramref name="what"/>.": the one form of a failed fetch.</summary>
    internal static ClientJwksUnavailableException FetchFailed(string what, Exception? innerException = null) =>
        new($"The client's JWKS could not be fetched: {what}.", innerException);
}
