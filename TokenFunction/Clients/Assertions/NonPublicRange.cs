using System.Net;

namespace TokenFunction.Clients.Assertions;

/// <summary>A block of IP addresses that is not reachable on the public internet, named for messages and logs.</summary>
/// <param name="Network">The block, e.g. 10.0.0.0/8.</param>
/// <param name="Description">What the block is for, e.g. "private, RFC 1918".</param>
/// <param name="IsLoopback">Whether it is the host's own loopback, which local development may allow.</param>
public sealed record NonPublicRange(IPNetwork Network, string Description, bool IsLoopback = false)
{
    public override string ToString() => $"{Network}: {Description}";
}
