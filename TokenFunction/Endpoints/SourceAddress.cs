using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http;

namespace TokenFunction.Endpoints;

/// <summary>
/// The address a request comes from, for throttling. A peer on an internal address (loopback, private, link-local:
/// the Functions host in front of the worker, a platform front end) is a proxy, so the client is the rightmost
/// X-Forwarded-For entry that is not internal: entries left of it may be forged by the client, the ones right of it
/// were added by the proxies. A public peer is the client itself, whatever the headers say.
/// </summary>
public static class SourceAddress
{
    public const string ForwardedForHeader = "X-Forwarded-For";

    public static IPAddress Of(HttpRequest request)
    {
        var peer = Normalize(request.HttpContext.Connection.RemoteIpAddress ?? IPAddress.IPv6None);
        if (!IsInternal(peer))
        {
            return peer;
        }

        var forwarded = request.Headers[ForwardedForHeader];
        for (var header = forwarded.Count - 1; header >= 0; header--)
        {
            var hops = (forwarded[header] ?? string.Empty).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            for (var hop = hops.Length - 1; hop >= 0; hop--)
            {
                if (!TryParse(hops[hop], out var address))
                {
                    // Not an address: the chain cannot be trusted from here on.
                    return peer;
                }

                if (!IsInternal(address))
                {
                    return address;
                }
            }
        }

        return peer;
    }

    /// <summary>"1.2.3.4", "1.2.3.4:5678" (App Service adds the port), "::1", "[::1]:5678".</summary>
    private static bool TryParse(string text, out IPAddress address)
    {
        if (IPEndPoint.TryParse(text, out var endPoint))
        {
            address = Normalize(endPoint.Address);
            return true;
        }

        address = IPAddress.None;
        return false;
    }

    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    private static bool IsInternal(IPAddress address)
    {
        if (IPAddress.IsLoopback(address) || address.IsIPv6LinkLocal || address.IsIPv6UniqueLocal || address.IsIPv6SiteLocal)
        {
            return true;
        }

        if (address.AddressFamily != AddressFamily.InterNetwork)
        {
            return false;
        }

        var bytes = address.GetAddressBytes();
        return bytes[0] == 10
            || (bytes[0] == 172 && bytes[1] is >= 16 and <= 31)
            || (bytes[0] == 192 && bytes[1] == 168)
            || (bytes[0] == 169 && bytes[1] == 254)
            || (bytes[0] == 100 && bytes[1] is >= 64 and <= 127);
    }
}
