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

        var bytes = await ReadBoundedAsync(body, cancellationToken).ConfigureAwait(false);
        if (bytes.Length == 0)
        {
            throw OAuthProtocolException.InvalidRequest("The request body is empty; send the parameters as application/x-www-form-urlencoded.");
        }

        return Parse(bytes);
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

    private static async Task<byte[]> ReadBoundedAsync(Stream body, CancellationToken cancellationToken)
    {
        // One byte more than allowed tells a body that is too large from one that fits exactly.
        var buffer = new byte[MaxBodyBytes + 1];
        var total = 0;
        int read;
        try
        {
            while (total < buffer.Length
                   && (read = await body.ReadAsync(buffer.AsMemory(total), cancellationToken).ConfigureAwait(false)) > 0)
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

        return buffer[..total];
    }

    private static OAuthProtocolException TooLarge() =>
        OAuthProtocolException.InvalidRequest($"The request body is larger than {MaxBodyBytes} bytes.");
}
