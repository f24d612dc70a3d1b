using System.Globalization;
using System.Net;
using System.Text.Json;

namespace TokenFunction.Protocol;

/// <summary>
/// A finished answer of an OAuth endpoint: status, headers and a JSON body (or none: a revocation's 200). It knows no
/// HTTP host: Endpoints writes it to an ASP.NET Core response, and Functions hands that to the Functions host.
/// </summary>
public sealed class OAuthResult
{
    public const string JsonContentType = "application/json; charset=utf-8";
    public const int RetryAfterSeconds = 5;

    private static readonly JsonSerializerOptions s_serializerOptions = new(JsonSerializerDefaults.Web);

    private OAuthResult(int statusCode, byte[] body, IReadOnlyList<KeyValuePair<string, string>> headers, string? errorCode = null)
    {
        StatusCode = statusCode;
        Body = body;
        Headers = headers;
        ErrorCode = errorCode;
    }

    public int StatusCode { get; }

    /// <summary>The OAuth <c>error</c> of an error response; null for a success.</summary>
    public string? ErrorCode { get; }

    public byte[] Body { get; }

    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; }

    /// <summary>Token endpoint responses hold credentials: no cache may keep them (RFC 6749 section 5.1).</summary>
    private static KeyValuePair<string, string>[] NoStore =>
        [new(HeaderNames.CacheControl, "no-store"), new(HeaderNames.Pragma, "no-cache")];

    /// <summary>The response header names used here (RFC 9110, RFC 9111, RFC 6585).</summary>
    public static class HeaderNames
    {
        public const string CacheControl = "Cache-Control";
        public const string Pragma = "Pragma";
        public const string WWWAuthenticate = "WWW-Authenticate";
        public const string Allow = "Allow";
        public const string RetryAfter = "Retry-After";

        /// <summary>RFC 9449 section 8: the server nonce a DPoP proof must carry.</summary>
        public const string DpopNonce = "DPoP-Nonce";
    }

    /// <param name="dpopNonce">A fresh DPoP server nonce for the client's next proof; null when nonces are not required.</param>
    public static OAuthResult Token(AccessTokenResponse response, string? dpopNonce = null) =>
        Json((int)HttpStatusCode.OK, response, dpopNonce is null ? NoStore : [.. NoStore, new(HeaderNames.DpopNonce, dpopNonce)]);

    /// <summary>
    /// RFC 7009 section 2.2: 200 whether or not anything was revoked, so the answer tells nothing about the token. The
    /// body is empty (the RFC says the client ignores it), and no-store like every token endpoint answer.
    /// </summary>
    public static OAuthResult Revoked() => new((int)HttpStatusCode.OK, [], NoStore);

    public static OAuthResult Error(OAuthProtocolException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        KeyValuePair<string, string>[] headers = exception.ChallengeBasic && exception.StatusCode == (int)HttpStatusCode.Unauthorized
            ? [.. NoStore, new(HeaderNames.WWWAuthenticate, "Basic realm=\"oauth\", charset=\"UTF-8\"")]
            : NoStore;
        if (exception.DpopNonce is { } nonce)
        {
            headers = [.. headers, new(HeaderNames.DpopNonce, nonce)];
        }

        return Error(exception.StatusCode, exception.Error, exception.Message, headers);
    }

    public static OAuthResult MethodNotAllowed(string allowed) =>
        Error((int)HttpStatusCode.MethodNotAllowed, OAuthErrorCodes.InvalidRequest, $"Use {allowed}.", [.. NoStore, new(HeaderNames.Allow, allowed)]);

    public static OAuthResult ServerError() =>
        Error((int)HttpStatusCode.InternalServerError, OAuthErrorCodes.ServerError, null, NoStore);

    public static OAuthResult TemporarilyUnavailable(TimeSpan? retryAfter = null)
    {
        var seconds = retryAfter is { } wait ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : RetryAfterSeconds;
        return Error(
            (int)HttpStatusCode.ServiceUnavailable,
            OAuthErrorCodes.TemporarilyUnavailable,
            "A service the token endpoint depends on did not answer; retry shortly.",
            [.. NoStore, new(HeaderNames.RetryAfter, seconds.ToString(CultureInfo.InvariantCulture))]);
    }

    /// <summary>429: the source address failed client authentication too often; it may try again after the wait.</summary>
    public static OAuthResult TooManyRequests(TimeSpan retryAfter)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        return Error(
            (int)HttpStatusCode.TooManyRequests,
            OAuthErrorCodes.TemporarilyUnavailable,
            $"Too many failed client authentications from this address; retry after {seconds} seconds.",
            [.. NoStore, new(HeaderNames.RetryAfter, seconds)]);
    }

    /// <summary>A public document (JWKS, metadata) that caches may keep for <paramref name="maxAgeSeconds"/>.</summary>
    public static OAuthResult PublicDocument<T>(T document, int maxAgeSeconds) =>
        Json((int)HttpStatusCode.OK, document, [new(HeaderNames.CacheControl, $"public, max-age={maxAgeSeconds}")]);

    private static OAuthResult Error(int statusCode, string error, string? description, KeyValuePair<string, string>[] headers) =>
        Json(statusCode, new OAuthErrorResponse(error, description is null ? null : ErrorText.Sanitize(description)), headers, error);

    private static OAuthResult Json<T>(int statusCode, T body, KeyValuePair<string, string>[] headers, string? errorCode = null) =>
        new(statusCode, JsonSerializer.SerializeToUtf8Bytes(body, s_serializerOptions), headers, errorCode);
}
