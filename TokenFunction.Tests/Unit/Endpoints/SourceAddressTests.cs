using System.Net;
using Microsoft.AspNetCore.Http;
using TokenFunction.Endpoints;

namespace TokenFunction.Tests.Unit.Endpoints;

/// <summary>Which address a request is throttled under: the peer, unless the peer is an internal proxy.</summary>
public class SourceAddressTests
{
    [TestCase("198.51.100.7", null, "198.51.100.7", TestName = "PublicPeer_IsTheSource")]
    [TestCase("198.51.100.7", "203.0.113.9", "198.51.100.7", TestName = "PublicPeer_IsTheSource_WhateverItsForwardedForHeaderClaims")]
    [TestCase("127.0.0.1", null, "127.0.0.1", TestName = "LoopbackPeerWithoutForwardedFor_IsTheSource")]
    [TestCase("127.0.0.1", "203.0.113.9", "203.0.113.9", TestName = "LoopbackPeer_IsAProxy_TheForwardedAddressIsTheSource")]
    [TestCase("10.1.2.3", "203.0.113.9:51234", "203.0.113.9", TestName = "PrivatePeer_ForwardedAddressWithAPort_AsAppServiceSendsIt")]
    [TestCase("127.0.0.1", "198.51.100.1, 203.0.113.9, 10.0.0.4", "203.0.113.9", TestName = "ForwardedChain_TheRightmostNonInternalHopIsTheSource_LeftOfItCouldBeForged")]
    [TestCase("127.0.0.1", "[2001:db8::5]:443", "2001:db8::5", TestName = "ForwardedIPv6WithAPort_IsParsed")]
    [TestCase("127.0.0.1", "not-an-address, 203.0.113.9", "203.0.113.9", TestName = "GarbageLeftOfTheTrustedHop_IsNeverReached")]
    [TestCase("127.0.0.1", "203.0.113.9, garbage", "127.0.0.1", TestName = "GarbageInTheChain_FallsBackToThePeer")]
    [TestCase("::ffff:127.0.0.1", "203.0.113.9", "203.0.113.9", TestName = "MappedLoopbackPeer_IsAProxyToo")]
    public void SourceOf(string peer, string? forwardedFor, string expected)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse(peer);
        if (forwardedFor is not null)
        {
            context.Request.Headers[SourceAddress.ForwardedForHeader] = forwardedFor;
        }

        Assert.That(SourceAddress.Of(context.Request), Is.EqualTo(IPAddress.Parse(expected)));
    }
}
