using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using TokenFunction.Clients;
using TokenFunction.Clients.Assertions;
using TokenFunction.Endpoints;
using TokenFunction.Grants;
using TokenFunction.Storage;
using TokenFunction.Settings;

namespace TokenFunction.Tests.Unit.Endpoints;

/// <summary>
/// The refusals the endpoint makes before it authenticates the client, so before any storage call: the
/// table client below points at an address nothing listens on and is never reached by these requests.
/// </summary>
public class TokenEndpointTests
{
    private const string Form = "application/x-www-form-urlencoded";

    [Test]
    public async Task HandleAsync_RefusesGetWith405AndAllowPost()
    {
        var response = await HandleAsync(HttpMethods.Get, "grant_type=authorization_code", Form);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(405));
            Assert.That(response.Headers.Allow.ToString(), Is.EqualTo("POST"));
            Assert.That(response.Headers.CacheControl.ToString(), Is.EqualTo("no-store"));
        });
    }

    [TestCase("code")]
    [TestCase("client_secret")]
    [TestCase("code_verifier")]
    [TestCase("refresh_token")]
    [TestCase("password")]
    [TestCase("client_assertion")]
    [TestCase("token")]
    public async Task HandleAsync_RefusesCredentialInQueryString(string parameter)
    {
        var response = await HandleAsync(HttpMethods.Post, "grant_type=authorization_code&client_id=a", Form, query: $"?{parameter}=x");
        var body = Body(response);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(400));
            Assert.That(body.GetProperty("error").GetString(), Is.EqualTo("invalid_request"));
            Assert.That(response.Headers.CacheControl.ToString(), Is.EqualTo("no-store"));
        });
    }

    [Test]
    public async Task HandleAsync_RefusesJsonBodyAsInvalidRequest()
    {
        var response = await HandleAsync(HttpMethods.Post, "{\"grant_type\":\"authorization_code\"}", "application/json");
        var body = Body(response);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(400));
            Assert.That(response.ContentType, Is.EqualTo("application/json; charset=utf-8"));
            Assert.That(response.Headers.CacheControl.ToString(), Is.EqualTo("no-store"));
            Assert.That(body.GetProperty("error").GetString(), Is.EqualTo("invalid_request"));
        });
    }

    [Test]
    public async Task HandleAsync_RefusesMissingGrantTypeAsInvalidRequest()
    {
        var response = await HandleAsync(HttpMethods.Post, "client_id=a&code=x", Form);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(400));
            Assert.That(Body(response).GetProperty("error").GetString(), Is.EqualTo("invalid_request"));
        });
    }

    [Test]
    public async Task HandleAsync_MalformedBasicIs401WithBasicChallenge()
    {
        var response = await HandleAsync(HttpMethods.Post, "grant_type=authorization_code", Form, authorization: "Basic %%%");

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(401));
            Assert.That(response.Headers.WWWAuthenticate.ToString(), Does.StartWith("Basic realm="));
            Assert.That(Body(response).GetProperty("error").GetString(), Is.EqualTo("invalid_client"));
        });
    }

    [Test]
    public async Task HandleAsync_RequestWithoutClientIs401WithoutChallenge()
    {
        var response = await HandleAsync(HttpMethods.Post, "grant_type=authorization_code&code=x", Form);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(401));
            Assert.That(response.Headers.WWWAuthenticate, Is.Empty);
            Assert.That(Body(response).GetProperty("error").GetString(), Is.EqualTo("invalid_client"));
        });
    }

    private static async Task<HttpResponse> HandleAsync(string method, string body, string contentType, string query = "", string? authorization = null)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Request.QueryString = new QueryString(query.Length == 0 ? null : query);
        context.Request.ContentType = contentType;
        context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(body));
        if (authorization is not null)
        {
            context.Request.Headers.Authorization = authorization;
        }

        context.Response.Body = new MemoryStream();
        var result = await Endpoint().HandleAsync(context.Request, CancellationToken.None);
        await result.WriteAsync(context.Response);
        return context.Response;
    }

    private static TokenEndpoint Endpoint()
    {
        // Port 9 (discard) on loopback: should a request reach storage, it fails fast instead of passing.
        var options = new TableClientOptions();
        options.Retry.MaxRetries = 0;
        var service = new TableServiceClient(new Uri("http://127.0.0.1:9/devstoreaccount1"), new TableSharedKeyCredential("devstoreaccount1", Convert.ToBase64String(new byte[32])), options);
        var tables = new TokenTables(service, createTablesIfMissing: false);
        var time = new FakeTimeProvider();
        var assertions = new ClientAssertionValidator(
            new ClientKeys(new ClientJwksFetcher(Options.Create(new ClientJwksOptions()), time, NullLogger<ClientJwksFetcher>.Instance)),
            new ClientAssertionReplayStore(tables, time),
            Options.Create(new TokenOptions { Issuer = "https://issuer.example.test" }),
            Options.Create(new EndpointUrls { TokenEndpoint = "https://issuer.example.test/token" }),
            time);
        var form = new FormRequest(new FailedAuthenticationThrottle(Options.Create(new ThrottlingOptions())), Options.Create(new TokenOptions()));
        var dpopOptions = Options.Create(new DpopOptions());
        var dpop = new DpopProofCheck(dpopOptions, Options.Create(new EndpointUrls { TokenEndpoint = "https://issuer.example.test/token" }),
            new DpopNonces(dpopOptions, time), new DpopProofReplayStore(tables, time), time);
        return new TokenEndpoint(form, new ClientAuthenticator(new ClientStore(tables, time), assertions), new GrantHandlers([]), dpop, NullLogger<TokenEndpoint>.Instance);
    }

    private static JsonElement Body(HttpResponse response)
    {
        using var document = JsonDocument.Parse(((MemoryStream)response.Body).ToArray());
        return document.RootElement.Clone();
    }
}
