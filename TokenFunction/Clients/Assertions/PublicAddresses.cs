using System.Net;
using System.Net.Sockets;

namespace TokenFunction.Clients.Assertions;

/// <summary>
/// Whether an IP address is on the public internet, so that the service may connect to it on a client's behalf (a
/// client's <c>jwks_uri</c>) without being turned against its own network: loopback, private, link-local (the cloud
/// metadata service at 169.254.169.254), shared, documentation, benchmarking, multicast and reserved blocks are not.
/// IPv6 forms that carry an IPv4 address (IPv4-mapped and -compatible, SIIT, NAT64 64:ff9b::/96, 6to4 2002::/16)
/// are judged by that address, since that is where a connection to them ends up. The blocks follow the IANA special
/// purpose registries; an IPv6 address outside 2000::/3, the only block allocated for global unicast, is not public.
/// </summary>
public static class PublicAddresses
{
    private static readonly NonPublicRange[] s_ipv4 =
    [
        Range("0.0.0.0/8", "this network, RFC 1122 (0.0.0.0 reaches the host itself)"),
        Range("10.0.0.0/8", "private, RFC 1918"),
        Range("100.64.0.0/10", "shared address space for carrier-grade NAT, RFC 6598"),
        new(IPNetwork.Parse("127.0.0.0/8"), "loopback", IsLoopback: true),
        Range("169.254.0.0/16", "link-local, RFC 3927 (the cloud instance metadata service 169.254.169.254 included)"),
        Range("172.16.0.0/12", "private, RFC 1918"),
        Range("192.0.0.0/24", "IETF protocol assignments, RFC 6890"),
        Range("192.0.2.0/24", "documentation TEST-NET-1, RFC 5737"),
        Range("192.88.99.0/24", "6to4 relay anycast, RFC 7526"),
        Range("192.168.0.0/16", "private, RFC 1918"),
        Range("198.18.0.0/15", "benchmarking, RFC 2544"),
        Range("198.51.100.0/24", "documentation TEST-NET-2, RFC 5737"),
        Range("203.0.113.0/24", "documentation TEST-NET-3, RFC 5737"),
        Range("224.0.0.0/4", "multicast"),
        Range("255.255.255.255/32", "limited broadcast"),
        Range("240.0.0.0/4", "reserved, RFC 1112"),
    ];

    private static readonly NonPublicRange[] s_ipv6 =
    [
        Range("64:ff9b:1::/48", "local-use NAT64, RFC 8215"),
        Range("100::/64", "discard-only, RFC 6666"),
        Range("2001::/23", "IETF protocol assignments, RFC 2928 (Teredo 2001::/32 included)"),
        Range("2001:db8::/32", "documentation, RFC 3849"),
        Range("3fff::/20", "documentation, RFC 9637"),
        Range("5f00::/16", "segment routing SIDs, RFC 9602"),
        Range("fc00::/7", "unique local, RFC 4193"),
        Range("fe80::/10", "link-local, RFC 4291"),
        Range("fec0::/10", "site-local, RFC 3879"),
        Range("ff00::/8", "multicast"),
    ];

    /// <summary>Matched before the blocks that embed an IPv4 address, which contain them.</summary>
    private static readonly NonPublicRange[] s_ipv6Exact =
    [
        Range("::/128", "unspecified"),
        new(IPNetwork.Parse("::1/128"), "loopback", IsLoopback: true),
    ];

    private static readonly IPNetwork s_globalUnicast = IPNetwork.Parse("2000::/3");

    private static readonly NonPublicRange s_reservedIpv6 = Range("::/0", "reserved: outside 2000::/3, the only block allocated for global unicast");

    /// <summary>IPv6 blocks whose last 32 bits are an IPv4 address the traffic goes to.</summary>
    private static readonly IPNetwork[] s_embeddingLastFourBytes =
    [
        IPNetwork.Parse("::/96"), // IPv4-compatible (deprecated, RFC 4291); :: and ::1 are matched before this
        IPNetwork.Parse("::ffff:0:0:0/96"), // IPv4-translated (SIIT, RFC 2765)
        IPNetwork.Parse("64:ff9b::/96"), // NAT64 well-known prefix (RFC 6052)
    ];

    private static readonly IPNetwork s_sixToFour = IPNetwork.Parse("2002::/16");

    /// <summary>Every non-public block, IPv4 then IPv6, for documentation and tests.</summary>
    public static IReadOnlyList<NonPublicRange> Ranges { get; } = [.. s_ipv4, .. s_ipv6Exact, .. s_ipv6, s_reservedIpv6];

    public static bool IsPublic(IPAddress address) => RangeOf(address) is null;

    /// <summary>The non-public block <paramref name="address"/> is in (for an embedded IPv4 address, that address's block); null when it is public.</summary>
    public static NonPublicRange? RangeOf(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            return Array.Find(s_ipv4, r => r.Network.Contains(address));
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            throw new ArgumentException($"Not an IP address: {address.AddressFamily}.", nameof(address));
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return RangeOf(address.MapToIPv4());
        }

        // The scope of a link-local address (fe80::1%eth0) plays no part in what it is.
        var bytes = address.GetAddressBytes();
        var unscoped = new IPAddress(bytes);
        if (Array.Find(s_ipv6Exact, r => r.Network.Contains(unscoped)) is { } exact)
        {
            return exact;
        }

        if (Array.Exists(s_embeddingLastFourBytes, n => n.Contains(unscoped)))
        {
            return RangeOf(new IPAddress(bytes.AsSpan(12, 4)));
        }

        if (s_sixToFour.Contains(unscoped))
        {
            return RangeOf(new IPAddress(bytes.AsSpan(2, 4)));
        }

        return Array.Find(s_ipv6, r => r.Network.Contains(unscoped))
            ?? (s_globalUnicast.Contains(unscoped) ? null : s_reservedIpv6);
    }

    private static NonPublicRange Range(string network, string description) => new(IPNetwork.Parse(network), description);
}
