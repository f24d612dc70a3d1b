using System.Net;
using TokenFunction.Settings;

namespace TokenFunction.Clients.Assertions;

/// <summary>
/// Which <c>jwks_uri</c> a client may register and the service will fetch: an absolute https URL whose host is not
/// <c>localhost</c> nor a literal non-public IP address (see <see cref="PublicAddresses"/>), so that a registration
/// cannot point the service at its own network. A host name is judged when it is connected to
/// (<see cref="PublicAddressConnector"/>), as its DNS answer may change. With <see cref="ClientJwksOptions.AllowLoopback"/>
/// (local development and tests) a loopback host is allowed, over http too. A JWKS fetched over the network without
/// TLS could be swapped for an attacker's keys. Userinfo would put a credential in configuration and logs; a fragment
/// is never sent and so means nothing.
/// </summary>
public static class ClientJwksUri
{
    public static bool IsAcceptable(Uri uri, bool allowLoopback, out string? reason)
    {
        ArgumentNullException.ThrowIfNull(uri);
        reason = !uri.IsAbsoluteUri ? "the jwks_uri must be an absolute URL"
            : !HasAllowedScheme(uri, allowLoopback) ? (allowLoopback ? "the jwks_uri must use https (http only for a loopback host)" : "the jwks_uri must use https")
            : !string.IsNullOrEmpty(uri.UserInfo) ? "the jwks_uri must not contain a user name or password"
            // Uri.Fragment is empty for a bare trailing '#'; an unescaped '#' is a fragment all the same.
            : !string.IsNullOrEmpty(uri.Fragment) || uri.OriginalString.Contains('#', StringComparison.Ordinal) ? "the jwks_uri must not have a fragment"
            : HostReason(uri, allowLoopback);
        return reason is null;
    }

    /// <summary>
    /// <c>localhost</c> and names under <c>.localhost</c> (RFC 6761: they resolve to loopback), with or without a
    /// trailing dot; unlike <see cref="Uri.IsLoopback"/>, no other name.
    /// </summary>
    public static bool IsLocalhostName(string host)
    {
        ArgumentNullException.ThrowIfNull(host);
        var name = host.TrimEnd('.');
        return name.Equals("localhost", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase);
    }

    private static bool HasAllowedScheme(Uri uri, bool allowLoopback) =>
        uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && allowLoopback && IsLoopbackHost(uri));

    private static bool IsLoopbackHost(Uri uri) =>
        IsLocalhostName(uri.IdnHost) || (IPAddress.TryParse(uri.IdnHost, out var address) && PublicAddresses.RangeOf(address) is { IsLoopback: true });

    private static string? HostReason(Uri uri, bool allowLoopback)
    {
        if (IsLocalhostName(uri.IdnHost))
        {
            return allowLoopback ? null : $"the jwks_uri must not point at localhost ({SettingNames.ClientJwksAllowLoopback}=true allows it for local development)";
        }

        if (!IPAddress.TryParse(uri.IdnHost, out var address) || PublicAddresses.RangeOf(address) is not { } range)
        {
            return null;
        }

        return range.IsLoopback
            ? allowLoopback ? null : $"the jwks_uri's host {address} is a loopback address ({SettingNames.ClientJwksAllowLoopback}=true allows it for local development)"
            : $"the jwks_uri's host {address} is not a public address ({range.Description})";
    }
}
