using System.Net;

namespace TokenFunction.Clients.Assertions;

/// <summary>
/// Which <c>jwks_uri</c> a client may register and the service will fetch: an absolute https URL. Plain http is
/// allowed for a loopback host only (local development and tests), since a JWKS fetched over the network without TLS
/// could be swapped for an attacker's keys. Userinfo would put a credential in configuration and logs; a fragment is
/// never sent and so means nothing.
/// </summary>
public static class ClientJwksUri
{
    public static bool IsAcceptable(Uri uri, out string? reason)
    {
        ArgumentNullException.ThrowIfNull(uri);
        reason = !uri.IsAbsoluteUri ? "the jwks_uri must be an absolute URL"
            : uri.Scheme == Uri.UriSchemeHttp && !IsLoopback(uri) ? "the jwks_uri must use https (http only for localhost)"
            : uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp ? "the jwks_uri must use https"
            : !string.IsNullOrEmpty(uri.UserInfo) ? "the jwks_uri must not contain a user name or password"
            // Uri.Fragment is empty for a bare trailing '#'; an unescaped '#' is a fragment all the same.
            : !string.IsNullOrEmpty(uri.Fragment) || uri.OriginalString.Contains('#', StringComparison.Ordinal) ? "the jwks_uri must not have a fragment"
            : null;
        return reason is null;
    }

    /// <summary>localhost, 127.0.0.0/8 or ::1; unlike <see cref="Uri.IsLoopback"/>, no other name that resolves there.</summary>
    private static bool IsLoopback(Uri uri) =>
        string.Equals(uri.IdnHost, "localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(uri.IdnHost, out var address) && IPAddress.IsLoopback(address));
}
