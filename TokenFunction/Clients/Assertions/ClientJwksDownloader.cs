using System.Globalization;
using System.Net;
using System.Text;
using TokenFunction.Settings;

namespace TokenFunction.Clients.Assertions;

/// <summary>
/// One GET of a client's <c>jwks_uri</c>, bounded in time and size: no redirects, 200 with a JSON body only, the body
/// parsed by <see cref="ClientJsonWebKeySet.TryParse"/>; connected only to public addresses (<see cref="PublicAddressConnector"/>).
/// Every failure becomes a <see cref="ClientJwksUnavailableException"/>.
/// </summary>
internal sealed class ClientJwksDownloader : IDisposable
{
    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private readonly HttpClient _http;
    private readonly TimeSpan _timeout;
    private readonly int _maxBytes;
    private readonly bool _allowLoopback;

    public ClientJwksDownloader(ClientJwksOptions options, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _timeout = TimeSpan.FromSeconds(options.FetchTimeoutSeconds);
        _maxBytes = options.MaxResponseBytes;
        _allowLoopback = options.AllowLoopback;
        _http = new HttpClient(handler ?? CreateHandler(options, new PublicAddressConnector(options.AllowLoopback)), disposeHandler: true)
        {
            // The whole fetch (headers and body) is bounded by the token in DownloadAsync; HttpClient's own timeout
            // would stop at the headers.
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _http.DefaultRequestHeaders.Accept.ParseAdd("application/jwk-set+json");
        _http.DefaultRequestHeaders.Accept.ParseAdd("application/json;q=0.9");
    }

    /// <summary>The production transport; tests pass a <paramref name="connector"/> with their own resolver.</summary>
    internal static SocketsHttpHandler CreateHandler(ClientJwksOptions options, PublicAddressConnector connector) => new()
    {
        // A redirect could lead the service anywhere the client's server points it; the registered URL is the contract.
        AllowAutoRedirect = false,
        // Compressed bodies would escape the size limit (a small body inflating into a large one).
        AutomaticDecompression = DecompressionMethods.None,
        ConnectTimeout = TimeSpan.FromSeconds(options.FetchTimeoutSeconds),
        // Every connection is made here, to an address judged public: the check is on the address connected to.
        ConnectCallback = connector.ConnectAsync,
        // Picks up DNS changes of long-lived client hosts.
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
        // A refused (oversized, wrong status) body is not drained to keep the connection: it is closed.
        MaxResponseDrainSize = 0,
        UseCookies = false,
        // Through a proxy, the connection (and so the address check) would be to the proxy, which then reaches
        // whatever address the client's host names, private ones included. Client JWKS are fetched directly.
        UseProxy = false,
    };

    /// <summary>Fetches and parses the JWKS; <paramref name="cancellationToken"/> aborts it (the timeout is added here).</summary>
    public async Task<ClientJsonWebKeySet> DownloadAsync(Uri uri, CancellationToken cancellationToken)
    {
        if (!ClientJwksUri.IsAcceptable(uri, _allowLoopback, out var reason))
        {
            throw Unavailable(reason!);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // Real time on purpose: a network timeout is about elapsed time, not the service's notion of now.
        timeout.CancelAfter(_timeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, uri);
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                var status = (int)response.StatusCode;
                throw Unavailable(status is >= 300 and < 400
                    ? $"the jwks_uri answered HTTP {status} (redirects are not followed; register the final URL)"
                    : $"the jwks_uri answered HTTP {status}, not 200");
            }

            var mediaType = response.Content.Headers.ContentType?.MediaType;
            if (!IsJson(mediaType))
            {
                throw Unavailable($"the jwks_uri answered with content type '{mediaType ?? "(none)"}', not JSON");
            }

            // Refused before a byte of the body is read.
            if (response.Content.Headers.ContentLength > _maxBytes)
            {
                throw TooLarge();
            }

            var stream = await response.Content.ReadAsStreamAsync(timeout.Token).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                var json = await ReadLimitedAsync(stream, timeout.Token).ConfigureAwait(false);
                return ClientJsonWebKeySet.TryParse(json, out var keySet, out var error)
                    ? keySet!
                    : throw Unavailable($"the document at the jwks_uri is not a usable JWKS: {error}");
            }
        }
        catch (OperationCanceledException e) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw Unavailable($"the jwks_uri did not answer within the timeout of {_timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s", e);
        }
        catch (HttpRequestException e) when (e.InnerException is ClientJwksUnavailableException)
        {
            // The connector refused every address the host resolves to; its reason says which and why.
            throw (ClientJwksUnavailableException)e.InnerException;
        }
        catch (HttpRequestException e)
        {
            // The error category, not the message: it is enough to act on and holds no internal detail.
            throw Unavailable($"the jwks_uri could not be reached ({e.HttpRequestError})", e);
        }
        catch (IOException e)
        {
            throw Unavailable("the connection to the jwks_uri broke while reading the JWKS", e);
        }
    }

    private async Task<string> ReadLimitedAsync(Stream stream, CancellationToken cancellationToken)
    {
        // One byte more than allowed tells "exactly the limit" from "over it" without reading further.
        var buffer = new byte[_maxBytes + 1];
        var total = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken).ConfigureAwait(false)) > 0)
        {
            total += read;
            if (total > _maxBytes)
            {
                throw TooLarge();
            }
        }

        try
        {
            return s_strictUtf8.GetString(buffer, 0, total);
        }
        catch (DecoderFallbackException e)
        {
            throw Unavailable("the JWKS is not UTF-8 text", e);
        }
    }

    private static bool IsJson(string? mediaType) =>
        mediaType is not null
        && (mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || mediaType.Equals("application/jwk-set+json", StringComparison.OrdinalIgnoreCase)
            || (mediaType.StartsWith("application/", StringComparison.OrdinalIgnoreCase) && mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase)));

    private ClientJwksUnavailableException TooLarge() =>
        Unavailable($"the JWKS at the jwks_uri is larger than {_maxBytes.ToString(CultureInfo.InvariantCulture)} bytes");

    private static ClientJwksUnavailableException Unavailable(string what, Exception? inner = null) =>
        ClientJwksUnavailableException.FetchFailed(what, inner);

    public void Dispose() => _http.Dispose();
}
