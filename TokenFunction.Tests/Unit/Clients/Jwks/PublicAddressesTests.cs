using System.Net;
using TokenFunction.Clients.Assertions;

namespace TokenFunction.Tests.Unit.Clients.Jwks;

/// <summary>Which addresses the service may connect to on a client's behalf, case by case.</summary>
public class PublicAddressesTests
{
    [TestCase("0.0.0.0", "this network")]
    [TestCase("0.1.2.3", "this network")]
    [TestCase("10.0.0.1", "private, RFC 1918")]
    [TestCase("10.255.255.255", "private, RFC 1918")]
    [TestCase("100.64.0.1", "carrier-grade NAT")]
    [TestCase("100.127.255.254", "carrier-grade NAT")]
    [TestCase("169.254.0.1", "link-local")]
    [TestCase("169.254.169.254", "link-local")]
    [TestCase("172.16.0.1", "private, RFC 1918")]
    [TestCase("172.31.255.255", "private, RFC 1918")]
    [TestCase("192.0.0.8", "IETF protocol assignments")]
    [TestCase("192.0.2.10", "documentation")]
    [TestCase("192.88.99.1", "6to4 relay")]
    [TestCase("192.168.0.1", "private, RFC 1918")]
    [TestCase("198.18.0.1", "benchmarking")]
    [TestCase("198.19.255.255", "benchmarking")]
    [TestCase("198.51.100.7", "documentation")]
    [TestCase("203.0.113.9", "documentation")]
    [TestCase("224.0.0.1", "multicast")]
    [TestCase("239.255.255.250", "multicast")]
    [TestCase("240.0.0.1", "reserved")]
    [TestCase("255.255.255.255", "broadcast")]
    [TestCase("::", "unspecified")]
    [TestCase("fc00::1", "unique local")]
    [TestCase("fd12:3456:789a::1", "unique local")]
    [TestCase("fe80::1", "link-local")]
    [TestCase("fe80::1%2", "link-local")]
    [TestCase("febf:ffff::1", "link-local")]
    [TestCase("fec0::1", "site-local")]
    [TestCase("ff02::1", "multicast")]
    [TestCase("2001:db8::1", "documentation")]
    [TestCase("3fff::1", "documentation")]
    [TestCase("2001::1", "IETF protocol assignments")]
    [TestCase("2001:0:4136:e378:8000:63bf:3fff:fdd2", "Teredo")]
    [TestCase("100::1", "discard-only")]
    [TestCase("64:ff9b:1::1", "local-use NAT64")]
    [TestCase("5f00::1", "segment routing")]
    [TestCase("4000::1", "reserved")]
    [TestCase("1::1", "reserved")]
    public void NonPublicAddress_IsNotPublic_AndNamesItsRange(string address, string description)
    {
        var range = PublicAddresses.RangeOf(IPAddress.Parse(address));

        Assert.That(range, Is.Not.Null, $"{address} is not public");
        Assert.That(range!.Description, Does.Contain(description));
        Assert.That(range.IsLoopback, Is.False);
        Assert.That(PublicAddresses.IsPublic(IPAddress.Parse(address)), Is.False);
    }

    [TestCase("127.0.0.1")]
    [TestCase("127.255.255.254")]
    [TestCase("::1")]
    [TestCase("::ffff:127.0.0.1")]
    [TestCase("::127.0.0.1")]
    [TestCase("64:ff9b::7f00:1")]
    [TestCase("2002:7f00:1::1")]
    public void LoopbackAddress_IsLoopback(string address)
    {
        var range = PublicAddresses.RangeOf(IPAddress.Parse(address));

        Assert.That(range?.IsLoopback, Is.True, address);
    }

    [TestCase("::ffff:10.0.0.1", "private, RFC 1918", TestName = "Ipv4MappedAddress_IsJudgedByItsIpv4Address")]
    [TestCase("::ffff:169.254.169.254", "link-local", TestName = "Ipv4MappedMetadataAddress_IsLinkLocal")]
    [TestCase("::10.0.0.1", "private, RFC 1918", TestName = "Ipv4CompatibleAddress_IsJudgedByItsIpv4Address")]
    [TestCase("::ffff:0:192.168.1.1", "private, RFC 1918", TestName = "Ipv4TranslatedAddress_IsJudgedByItsIpv4Address")]
    [TestCase("64:ff9b::a9fe:a9fe", "link-local", TestName = "Nat64Address_IsJudgedByItsIpv4Address")]
    [TestCase("64:ff9b::10.1.2.3", "private, RFC 1918", TestName = "Nat64PrivateAddress_IsJudgedByItsIpv4Address")]
    [TestCase("2002:c0a8:101::1", "private, RFC 1918", TestName = "SixToFourAddress_IsJudgedByItsIpv4Address")]
    [TestCase("2002:a9fe:a9fe::", "link-local", TestName = "SixToFourMetadataAddress_IsLinkLocal")]
    public void EmbeddedIpv4Address_DecidesForTheIpv6Form(string address, string description)
    {
        var range = PublicAddresses.RangeOf(IPAddress.Parse(address));

        Assert.That(range?.Description, Does.Contain(description), address);
    }

    [TestCase("1.1.1.1")]
    [TestCase("8.8.8.8")]
    [TestCase("9.255.255.255")]
    [TestCase("11.0.0.0")]
    [TestCase("100.63.255.255")]
    [TestCase("100.128.0.0")]
    [TestCase("126.255.255.255")]
    [TestCase("128.0.0.0")]
    [TestCase("169.253.255.255")]
    [TestCase("169.255.0.0")]
    [TestCase("172.15.255.255")]
    [TestCase("172.32.0.0")]
    [TestCase("192.0.1.1")]
    [TestCase("192.167.255.255")]
    [TestCase("192.169.0.0")]
    [TestCase("198.17.255.255")]
    [TestCase("198.20.0.0")]
    [TestCase("223.255.255.255")]
    [TestCase("20.190.128.1")]
    [TestCase("2606:4700:4700::1111")]
    [TestCase("2a00:1450:4001:80b::200e")]
    [TestCase("2001:200::1")]
    [TestCase("2001:db9::1")]
    [TestCase("::ffff:8.8.8.8")]
    [TestCase("64:ff9b::808:808")]
    [TestCase("2002:808:808::1")]
    public void PublicAddress_IsPublic(string address)
    {
        Assert.That(PublicAddresses.RangeOf(IPAddress.Parse(address)), Is.Null, address);
        Assert.That(PublicAddresses.IsPublic(IPAddress.Parse(address)), Is.True);
    }

    [Test]
    public void Ranges_ListTheBlocksTheIssueNames()
    {
        var networks = PublicAddresses.Ranges.Select(r => r.Network.ToString()).ToList();

        Assert.That(networks, Is.SupersetOf(new[]
        {
            "127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16", "100.64.0.0/10", "0.0.0.0/8", "240.0.0.0/4",
            "::1/128", "fc00::/7", "fe80::/10", "fec0::/10", "2001:db8::/32", "ff00::/8",
        }));
    }
}
