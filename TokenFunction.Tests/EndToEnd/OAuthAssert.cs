using System.Net;
using System.Text.Json;
using TokenFunction.Protocol;
using TokenFunction.Tests.Infrastructure;

namespace TokenFunction.Tests.EndToEnd;

/// <summary>What every token endpoint response must satisfy, checked in one place.</summary>
public static class OAuthAssert
{
    /// <summary>
    /// An RFC 6749 section 5.2 error: the status, the <c>error</c> code, no token, no stack trace, no-store headers, the
    /// Basic challenge exactly when asked for. The <c>error_description</c> is for humans and may be reworded at any time:
    /// it is checked only for the characters RFC 6749 allows, never for its words.
    /// </summary>
    public static async Task<JsonElement> ErrorAsync(HttpResponseMessage response, HttpStatusCode status, string error, bool basicChallenge = false)
    {
        var body = await response.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(body);
        var root = document.RootElement.Clone();
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(status), body);
            Assert.That(root.GetProperty(OAuthParameterNames.Error).GetString(), Is.EqualTo(error), body);
            Assert.That(root.TryGetProperty(OAuthParameterNames.AccessToken, out _), Is.False, "an error must not carry a token");
            Assert.That(body, Does.Not.Contain("   at ").And.Not.Contain("Exception"), "no stack trace or exception type");
            AssertNoStoreJson(response);
            if (root.TryGetProperty(OAuthParameterNames.ErrorDescription, out var description))
            {
                Assert.That(description.GetString()!.All(ErrorText.IsAllowed), Is.True, "error_description uses only RFC 6749 characters");
            }

            if (basicChallenge)
            {
                Assert.That(response.Headers.WwwAuthenticate.Select(h => h.Scheme), Does.Contain("Basic"));
            }
            else
            {
                Assert.That(response.Headers.WwwAuthenticate, Is.Empty);
            }
        });
        return root;
    }

    /// <summary>
    /// A failed client authentication: 401 <c>invalid_client</c> with the one description every such failure gets, so the
    /// answer tells nothing about the client. The reason the service found is in its log, with the client id and source.
    /// </summary>
    public static async Task ClientAuthenticationFailedAsync(HttpResponseMessage response, LogCollector logs, string? reasonContains = null, bool basicChallenge = false)
    {
        var body = await ErrorAsync(response, HttpStatusCode.Unauthorized, OAuthErrorCodes.InvalidClient, basicChallenge);

        // Not wording but a property: every failure answers alike, so the answer tells nothing about the client.
        Assert.That(body.GetProperty(OAuthParameterNames.ErrorDescription).GetString(), Is.EqualTo(OAuthProtocolException.ClientAuthenticationFailed), "the one answer of every failed client authentication");
        if (reasonContains is null)
        {
            return;
        }

        var entry = logs.Entries.LastOrDefault(e => Equals(e["Status"], 401));
        Assert.That(entry, Is.Not.Null, "the failed authentication is logged");
        Assert.That(entry!["Detail"]?.ToString(), Does.Contain(reasonContains).IgnoreCase, "the log says why authentication failed");
    }

    public static void AssertNoStoreJson(HttpResponseMessage response)
    {
        Assert.That(response.Headers.CacheControl?.NoStore, Is.True, "Cache-Control: no-store");
        Assert.That(response.Headers.Pragma.ToString(), Is.EqualTo("no-cache"));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
        Assert.That(response.Content.Headers.ContentType?.CharSet, Is.EqualTo("utf-8"));
    }
}
