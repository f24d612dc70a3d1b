using System.Buffers;
using System.Net.Http.Headers;

namespace TokenFunction.Protocol;

/// <summary>
/// Reads a token request body: only application/x-www-form-urlencoded, at most <see cref="MaxBodyBytes"/>,
/// each parameter at most once (except RFC 8707 <c>resource</c>). Anything else is an <c>invalid_request</c> that says what was wrong.
/// </summary>
public static class FormBodyReader
{
    public const int MaxBodyBytes = 16 * 1024;
    public const string FormMediaType = "application/x-www-form-urlencoded";

    /// <param name="contentType">The request's Content-Type header, if any.</param>
    /// <param name="contentLength">The request's Content-Length header, if any.</param>
    /// <param name="body">The request body as it arrives.</param>
    public static async Task<FormParameters> ReadAsync(string? contentType, long? contentLength, Stream body, CancellationToken cancellationToken)
    {
        RequireFormContentType(contentType);
        if (contentLength > MaxBodyBytes)
        {
            throw TooLarge();
        }

        // A pooled buffer: a new 16 KiB one per request was the largest allocation of a token request (docs/performance.md).
        var buffer = ArrayPool<byte>.Shared.Rent(MaxBodyBytes + 1);
        var length = -1;
        try
        {
            length = await ReadBoundedAsync(body, buffer, cancellationToken).ConfigureAwait(false);
            if (length == 0)
            {
                throw OAuthProtocolException.InvalidRequest("The request body is empty; send the parameters as application/x-www-form-urlencoded.");
            }

            return Parse(buffer.AsSpan(0, length));
        }
        finally
        {
            // The body holds secrets (client_secret, code, code_verifier): none is left behind in the shared pool. Only the
            // bytes read were written; when the read failed part way, all that it may have written.
            buffer.AsSpan(0, length >= 0 ? length : MaxBodyBytes + 1).Clear();
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public static FormParameters Parse(ReadOnlySpan<byte> body)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var resources = new List<string>();
        foreach (var range in body.Split((byte)'&'))
        {
            var pair = body[range];
            if (pair.IsEmpty)
            {
                continue;
            }

            var equals = pair.IndexOf((byte)'=');
            var rawName = equals < 0 ? pair : pair[..equals];
            var rawValue = equals < 0 ? [] : pair[(equals + 1)..];
            if (!FormUrlEncoding.TryDecode(rawName, out var name) || !FormUrlEncoding.TryDecode(rawValue, out var value))
            {
                throw OAuthProtocolException.InvalidRequest("The request body is not valid application/x-www-form-urlencoded UTF-8.");
            }

            // RFC 8707 section 2: resource may repeat; every other parameter may not (RFC 6749 section 3.2).
            if (name == OAuthParameterNames.Resource)
            {
                resources.Add(value);
                values.TryAdd(name, value);
                continue;
            }

            if (!values.TryAdd(name, value))
            {
                throw OAuthProtocolException.InvalidRequest($"The parameter {ErrorText.Quote(name)} is sent more than once.");
            }
        }

        return new FormParameters(values, resources);
    }

    private static void RequireFormContentType(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType))
        {
            throw OAuthProtocolException.InvalidRequest($"The request has no Content-Type; send {FormMediaType}.");
        }

        // Any parameter (charset included) is accepted: the encoding is percent-escaped UTF-8 whatever it says.
        if (!MediaTypeHeaderValue.TryParse(contentType, out var mediaType)
            || !string.Equals(mediaType.MediaType, FormMediaType, StringComparison.OrdinalIgnoreCase))
        {
            throw OAuthProtocolException.InvalidRequest($"Content-Type {ErrorText.Quote(contentType)} is not supported; send {FormMediaType}.");
        }
    }

    /// <returns>The bytes read into <paramref name="buffer"/>.</returns>
    private static async Task<int> ReadBoundedAsync(Stream body, byte[] buffer, CancellationToken cancellationToken)
    {
        // One byte more than allowed tells a body that is too large from one that fits exactly.
        var limit = MaxBodyBytes + 1;
        var total = 0;
        int read;
        try
        {
            while (total < limit
                   && (read = await body.ReadAsync(buffer.AsMemory(total, limit - total), cancellationToken).ConfigureAwait(false)) > 0)
            {
                total += read;
            }
        }
        catch (IOException e)
        {
            // Kestrel's BadHttpRequestException (body shorter than its Content-Length) and a reset connection are both
            // IOExceptions, which would otherwise pass for a storage fault.
            throw new IncompleteRequestBodyException(e);
        }

        if (total > MaxBodyBytes)
        {
            throw TooLarge();
        }

        return total;
    }

    private static OAuthProtocolException TooLarge() =>
        OAuthProtocolException.InvalidRequest($"The request body is larger than {MaxBodyBytes} bytes.");
}
