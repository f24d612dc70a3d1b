using System.Text.Json;
using Microsoft.AspNetCore.Http;
using TokenFunction.Endpoints;
using TokenFunction.Protocol;

namespace TokenFunction.Tests.Unit.Protocol;

public class OAuthResultTests
{
    [Test]
    public async Task Error_InvalidRequestIs400WithNoStoreHeadersAndJsonBody()
    {
        var response = await WriteAsync(OAuthResult.Error(OAuthProtocolException.InvalidRequest("The 'code' parameter is missing.")));

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(400));
            AssertNoStoreJson(response);
            Assert.That(response.Headers.WWWAuthenticate, Is.Empty);
        });
        var body = ReadBody(response);
        Assert.Multiple(() =>
        {
            Assert.That(body.GetProperty("error").GetString(), Is.EqualTo("invalid_request"));
            Assert.That(body.GetProperty("error_description").GetString(), Is.EqualTo("The 'code' parameter is missing."));
            Assert.That(body.EnumerateObject().Select(p => p.Name), Is.EquivalentTo(new[] { "error", "error_description" }));
        });
    }

    [Test]
    public async Task Error_InvalidClientWithBasicChallengeIs401WithWwwAuthenticateBasic()
    {
        var response = await WriteAsync(OAuthResult.Error(OAuthProtocolException.InvalidClient("wrong secret", challengeBasic: true)));

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(401));
            AssertNoStoreJson(response);
            Assert.That(response.Headers.WWWAuthenticate.ToString(), Does.StartWith("Basic realm=\""));
            Assert.That(ReadBody(response).GetProperty("error").GetString(), Is.EqualTo("invalid_client"));
        });
    }

    [Test]
    public async Task Error_InvalidClientWithoutBasicHasNoChallenge()
    {
        var response = await WriteAsync(OAuthResult.Error(OAuthProtocolException.InvalidClient("unknown client", challengeBasic: false)));

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(401));
            Assert.That(response.Headers.WWWAuthenticate, Is.Empty);
        });
    }

    [Test]
    public async Task Error_InvalidGrantIs400()
    {
        var response = await WriteAsync(OAuthResult.Error(OAuthProtocolException.InvalidGrant("The authorization code has expired.")));

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(400));
            Assert.That(ReadBody(response).GetProperty("error").GetString(), Is.EqualTo("invalid_grant"));
        });
    }

    [Test]
    public async Task Error_SanitizesDescription()
    {
        var response = await WriteAsync(OAuthResult.Error(OAuthProtocolException.InvalidRequest("bad \"value\"\n\\ é")));

        var description = ReadBody(response).GetProperty("error_description").GetString();

        Assert.That(description, Is.EqualTo("bad ?value??? ?"));
    }

    [Test]
    public async Task TemporarilyUnavailable_Is503WithRetryAfter()
    {
        var response = await WriteAsync(OAuthResult.TemporarilyUnavailable());

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(503));
            AssertNoStoreJson(response);
            Assert.That(response.Headers.RetryAfter.ToString(), Is.EqualTo(OAuthResult.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            Assert.That(int.Parse(response.Headers.RetryAfter.ToString(), System.Globalization.CultureInfo.InvariantCulture), Is.Positive);
            Assert.That(ReadBody(response).GetProperty("error").GetString(), Is.EqualTo("temporarily_unavailable"));
        });
    }

    [Test]
    public async Task ServerError_Is500WithoutDescription()
    {
        var response = await WriteAsync(OAuthResult.ServerError());
        var body = ReadBody(response);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(500));
            AssertNoStoreJson(response);
            Assert.That(body.GetProperty("error").GetString(), Is.EqualTo("server_error"));
            Assert.That(body.TryGetProperty("error_description", out _), Is.False);
        });
    }

    [Test]
    public async Task MethodNotAllowed_Is405WithAllow()
    {
        var response = await WriteAsync(OAuthResult.MethodNotAllowed(HttpMethods.Post));

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(405));
            Assert.That(response.Headers.Allow.ToString(), Is.EqualTo("POST"));
            Assert.That(ReadBody(response).GetProperty("error").GetString(), Is.EqualTo("invalid_request"));
        });
    }

    [Test]
    public async Task Token_Is200WithNoStoreAndSnakeCaseBody()
    {
        var response = await WriteAsync(OAuthResult.Token(new AccessTokenResponse("eyJ.x.y", "Bearer", 600, "read write", RefreshToken: null)));
        var body = ReadBody(response);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(200));
            AssertNoStoreJson(response);
            Assert.That(body.GetProperty("access_token").GetString(), Is.EqualTo("eyJ.x.y"));
            Assert.That(body.GetProperty("token_type").GetString(), Is.EqualTo("Bearer"));
            Assert.That(body.GetProperty("expires_in").GetInt32(), Is.EqualTo(600));
            Assert.That(body.GetProperty("scope").GetString(), Is.EqualTo("read write"));
            Assert.That(body.TryGetProperty("refresh_token", out _), Is.False);
        });
    }

    [Test]
    public async Task Revoked_Is200WithNoStoreAndNoBodyOrContentType()
    {
        var response = await WriteAsync(OAuthResult.Revoked());

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(200));
            Assert.That(response.Headers.CacheControl.ToString(), Is.EqualTo("no-store"));
            Assert.That(response.Headers.Pragma.ToString(), Is.EqualTo("no-cache"));
            Assert.That(response.ContentType, Is.Null, "no body, so no Content-Type");
            Assert.That(response.ContentLength, Is.Zero);
            Assert.That(response.Body.Length, Is.Zero);
        });
    }

    [Test]
    public async Task PublicDocument_IsCacheableAndHasNoNoStore()
    {
        var response = await WriteAsync(OAuthResult.PublicDocument(new { keys = Array.Empty<object>() }, 300));

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(200));
            Assert.That(response.Headers.CacheControl.ToString(), Is.EqualTo("public, max-age=300"));
            Assert.That(response.Headers.Pragma, Is.Empty);
        });
    }

    [Test]
    public async Task WriteAsync_ContentLengthMatchesBody()
    {
        var response = await WriteAsync(OAuthResult.ServerError());

        Assert.That(response.ContentLength, Is.EqualTo(response.Body.Length));
    }

    private static void AssertNoStoreJson(HttpResponse response)
    {
        Assert.That(response.Headers.CacheControl.ToString(), Is.EqualTo("no-store"));
        Assert.That(response.Headers.Pragma.ToString(), Is.EqualTo("no-cache"));
        Assert.That(response.ContentType, Is.EqualTo("application/json; charset=utf-8"));
    }

    private static async Task<HttpResponse> WriteAsync(OAuthResult result)
    {
        var context = new DefaultHttpContext();
        context.Response.Body = new MemoryStream();
        await result.WriteAsync(context.Response);
        context.Response.Body.Position = 0;
        return context.Response;
    }

    private static JsonElement ReadBody(HttpResponse response)
    {
        response.Body.Position = 0;
        using var document = JsonDocument.Parse(response.Body);
        Assert.That(document.RootElement.ValueKind, Is.EqualTo(JsonValueKind.Object));
        return document.RootElement.Clone();
    }
}
