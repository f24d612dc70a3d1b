using System.Net;
using System.Net.Sockets;
using TokenFunction.Settings;

namespace TokenFunction.Clients.Assertions;

/// <summary>
/// The <see cref="SocketsHttpHandler.ConnectCallback"/> of the JWKS fetch: it resolves the host itself, drops every
/// address that is not public (loopback kept only when allowed) and connects to the first remaining one that answers.
/// The address checked is the address connected to, so a DNS answer that changes between a check and the connection
/// (DNS rebinding) cannot lead the service to its own network or the cloud metadata service.
/// </summary>
internal sealed class PublicAddressConnector
{
    /// <summary>Resolves a host name to its addresses (production: <see cref="Dns.GetHostAddressesAsync(string, CancellationToken)"/>).</summary>
    internal delegate Task<IPAddress[]> Resolver(string host, CancellationToken cancellationToken);

    /// <summary>Opens a TCP connection to an address already judged (production: a socket).</summary>
    internal delegate ValueTask<Stream> Connector(IPEndPoint endPoint, CancellationToken cancellationToken);

    private readonly bool _allowLoopback;
    private readonly Resolver _resolve;
    private readonly Connector _connect;

    /// <param name="allowLoopback">Whether loopback addresses may be connected to (local development and tests).</param>
    /// <param name="resolve">Tests pass their own, to have a name resolve to addresses that they must never reach.</param>
    /// <param name="connect">Tests pass their own, to see which addresses a connection was attempted to.</param>
    public PublicAddressConnector(bool allowLoopback, Resolver? resolve = null, Connector? connect = null)
    {
        _allowLoopback = allowLoopback;
        _resolve = resolve ?? Dns.GetHostAddressesAsync;
        _connect = connect ?? ConnectSocketAsync;
    }

    /// <summary>Whether the service may connect to <paramref name="address"/>.</summary>
    public bool Permits(IPAddress address) =>
        PublicAddresses.RangeOf(address) is not { } range || (range.IsLoopback && _allowLoopback);

    /// <exception cref="ClientJwksUnavailableException">The host has no address the service may connect to.</exception>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await _resolve(host, cancellationToken).ConfigureAwait(false);
        var permitted = addresses.Where(Permits).ToArray();
        if (permitted.Length == 0)
        {
            throw ClientJwksUnavailableException.FetchFailed(addresses.Length == 0
                ? "the host of the jwks_uri has no address"
                : $"the host of the jwks_uri resolves only to non-public addresses, which are never connected to: {Describe(addresses)}");
        }

        for (var i = 0; ; i++)
        {
            try
            {
                return await _connect(new IPEndPoint(permitted[i], context.DnsEndPoint.Port), cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException) when (i < permitted.Length - 1)
            {
                // The next permitted address may answer; the last one's failure is the one reported.
            }
        }
    }

    private string Describe(IPAddress[] addresses)
    {
        var described = string.Join(", ", addresses.Take(3).Select(a => $"{a} ({PublicAddresses.RangeOf(a)!.Description})"));
        var more = addresses.Length > 3 ? $" and {addresses.Length - 3} more" : string.Empty;
        var hint = !_allowLoopback && addresses.Any(a => PublicAddresses.RangeOf(a)!.IsLoopback)
            ? $"; loopback only with {SettingNames.ClientJwksAllowLoopback}=true, for local development"
            : string.Empty;
        return described + more + hint;
    }

    /// <summary>The production <see cref="Connector"/>: a TCP socket to the address given.</summary>
    internal static async ValueTask<Stream> ConnectSocketAsync(IPEndPoint endPoint, CancellationToken cancellationToken)
    {
        // An IPv4-mapped address is connected to as the IPv4 address it is, so that no dual-mode socket is needed.
        var target = endPoint.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(endPoint.Address.MapToIPv4(), endPoint.Port) : endPoint;
        var socket = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(target, cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
