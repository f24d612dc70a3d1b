using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;

namespace TokenFunction.Protocol;

/// <summary>
/// A finished HTTP response: status, headers and a JSON body (or none: a revocation's 200). It is an <see cref="IActionResult"/> so the Functions
/// host runs it, and writes itself to any <see cref="HttpResponse"/> so the local host runs the same thing.
/// </summary>
public sealed class OAuthResult : IActionResult
{
    public const string JsonContentType = "application/json; charset=utf-8";
    public const int RetryAfterSeconds = 5;

    private static readonly JsonSerializerOptions SerializerOptions = new(JsonSerializerDefaults.Web);

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

    public static OAuthResult Token(AccessTokenResponse response) =>
        Json(StatusCodes.Status200OK, response, NoStore);

    /// <summary>
    /// RFC 7009 section 2.2: 200 whether or not anything was revoked, so the answer tells nothing about the token. The
    /// body is empty (the RFC says the client ignores it), and no-store like every token endpoint answer.
    /// </summary>
    public static OAuthResult Revoked() => new(StatusCodes.Status200OK, [], NoStore);

    public static OAuthResult Error(OAuthProtocolException exception)
    {
        KeyValuePair<string, string>[] headers = exception.ChallengeBasic && exception.StatusCode == StatusCodes.Status401Unauthorized
            ? [.. NoStore, new(HeaderNames.WWWAuthenticate, "Basic realm=\"oauth\", charset=\"UTF-8\"")]
            : NoStore;
        return Error(exception.StatusCode, exception.Error, exception.Message, headers);
    }

    public static OAuthResult MethodNotAllowed(string allowed) =>
        Error(StatusCodes.Status405MethodNotAllowed, OAuthErrorCodes.InvalidRequest, $"Use {allowed}.", [.. NoStore, new(HeaderNames.Allow, allowed)]);

    public static OAuthResult ServerError() =>
        Error(StatusCodes.Status500InternalServerError, OAuthErrorCodes.ServerError, null, NoStore);

    public static OAuthResult TemporarilyUnavailable(TimeSpan? retryAfter = null)
    {
        var seconds = retryAfter is { } wait ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : RetryAfterSeconds;
        return Error(
            StatusCodes.Status503ServiceUnavailable,
            OAuthErrorCodes.TemporarilyUnavailable,
            "A service the token endpoint depends on did not answer; retry shortly.",
            [.. NoStore, new(HeaderNames.RetryAfter, seconds.ToString(System.Globalization.CultureInfo.InvariantCulture))]);
    }

    /// <summary>429: the source address failed client authentication too often; it may try again after the wait.</summary>
    public static OAuthResult TooManyRequests(TimeSpan retryAfter)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Error(
            StatusCodes.Status429TooManyRequests,
            OAuthErrorCodes.TemporarilyUnavailable,
            $"Too many failed client authentications from this address; retry after {seconds} seconds.",
            [.. NoStore, new(HeaderNames.RetryAfter, seconds)]);
    }

    /// <summary>A public document (JWKS, metadata) that caches may keep for <paramref name="maxAgeSeconds"/>.</summary>
    public static OAuthResult PublicDocument<T>(T document, int maxAgeSeconds) =>
        Json(StatusCodes.Status200OK, document, [new(HeaderNames.CacheControl, $"public, max-age={maxAgeSeconds}")]);

    public Task ExecuteResultAsync(ActionContext context) => WriteAsync(context.HttpContext.Response);

    public async Task WriteAsync(HttpResponse response)
    {
        response.StatusCode = StatusCode;
        foreach (var (name, value) in Headers)
        {
            response.Headers[name] = value;
        }

        if (Body.Length > 0)
        {
            response.ContentType = JsonContentType;
        }

        response.ContentLength = Body.Length;
        await response.Body.WriteAsync(Body).ConfigureAwait(false);
    }

    private static OAuthResult Error(int statusCode, string error, string? description, KeyValuePair<string, string>[] headers) =>
        Json(statusCode, new OAuthErrorResponse(error, description is null ? null : ErrorText.Sanitize(description)), headers, error);

    private static OAuthResult Json<T>(int statusCode, T body, KeyValuePair<string, string>[] headers, string? errorCode = null) =>
        new(statusCode, JsonSerializer.SerializeToUtf8Bytes(body, SerializerOptions), headers, errorCode);
}
