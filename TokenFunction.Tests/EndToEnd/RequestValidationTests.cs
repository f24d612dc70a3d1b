using System.Net;
using TokenFunction.Protocol;
using TokenFunction.Tests.Infrastructure;

namespace TokenFunction.Tests.EndToEnd;

/// <summary>Malformed requests get a 400 invalid_request that says what was wrong, and never a token.</summary>
public sealed class RequestValidationTests : EndToEndTest
{
    private RegisteredClient client = null!;

    [OneTimeSetUp]
    public async Task RegisterClientAsync() => client = await Clients.AddPublicAsync();

    [Test]
    public async Task JsonBody_IsRefused()
    {
        var code = await Clients.IssueCodeAsync(client.ClientId);
        using var response = await PostRawAsync($"{{\"grant_type\":\"authorization_code\",\"code\":\"{code.Code}\"}}", "application/json");
        await OAuthAssert.ErrorAsync(response, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidRequest);
    }

    [Test]
    public async Task MultipartBody_IsRefused()
    {
        var code = await Clients.IssueCodeAsync(client.ClientId);
        using var content = new MultipartFormDataContent();
        foreach (var (name, value) in CodeForm(code, client.ClientId))
        {
            content.Add(new StringContent(value), name);
        }

        using var response = await Http.PostAsync(Host.TokenEndpoint, content);
        await OAuthAssert.ErrorAsync(response, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidRequest);
    }

    [Test]
    public async Task MissingContentType_IsRefused()
    {
        var code = await Clients.IssueCodeAsync(client.ClientId);
        using var response = await PostRawAsync($"grant_type=authorization_code&code={code.Code}&client_id={client.ClientId}", contentType: null);
        await OAuthAssert.ErrorAsync(response, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidRequest);
    }

    [Test]
    public async Task EmptyBody_IsRefused()
    {
        using var response = await PostRawAsync(string.Empty, "application/x-www-form-urlencoded");
        await OAuthAssert.ErrorAsync(response, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidRequest);
    }

    [Test]
    public async Task BodyOver16KiB_IsRefused()
    {
        var code = await Clients.IssueCodeAsync(client.ClientId);
        var form = CodeForm(code, client.ClientId);
        form["padding"] = new string('a', FormBodyReader.MaxBodyBytes);
        using var response = await PostFormAsync(form);
        await OAuthAssert.ErrorAsync(response, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidRequest);
    }

    [Test]
    public async Task ParameterSentTwice_IsRefused()
    {
        var code = await Clients.IssueCodeAsync(client.ClientId);
        var form = CodeForm(code, client.ClientId).ToList();
        form.Add(new("code", code.Code));
        using var response = await PostFormAsync(form);
        await OAuthAssert.ErrorAsync(response, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidRequest);
    }

    [TestCase("code")]
    [TestCase("client_secret")]
    [TestCase("code_verifier")]
    public async Task CredentialsInQueryString_AreRefused(string parameter)
    {
        var code = await Clients.IssueCodeAsync(client.ClientId);
        using var response = await PostFormAsync(CodeForm(code, client.ClientId), query: $"?{parameter}=leaked");
        await OAuthAssert.ErrorAsync(response, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidRequest);
    }

    [Test]
    public async Task MissingGrantType_IsInvalidRequest()
    {
        var code = await Clients.IssueCodeAsync(client.ClientId);
        var form = CodeForm(code, client.ClientId);
        form.Remove("grant_type");
        using var response = await PostFormAsync(form);
        await OAuthAssert.ErrorAsync(response, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidRequest);
    }

    [Test]
    public async Task EmptyGrantType_CountsAsMissing()
    {
        var code = await Clients.IssueCodeAsync(client.ClientId);
        var form = CodeForm(code, client.ClientId);
        form["grant_type"] = string.Empty;
        using var response = await PostFormAsync(form);
        await OAuthAssert.ErrorAsync(response, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidRequest);
    }

    [Test]
    public async Task UnknownGrantType_IsUnsupportedGrantType()
    {
        using var response = await PostFormAsync(new Dictionary<string, string> { ["grant_type"] = "urn:example:magic", ["client_id"] = client.ClientId });
        await OAuthAssert.ErrorAsync(response, HttpStatusCode.BadRequest, OAuthErrorCodes.UnsupportedGrantType);
    }

    [TestCase("code")]
    [TestCase("redirect_uri")]
    public async Task MissingRequiredParameter_IsInvalidRequestNamingIt(string parameter)
    {
        var code = await Clients.IssueCodeAsync(client.ClientId);
        var form = CodeForm(code, client.ClientId);
        form.Remove(parameter);
        using var response = await PostFormAsync(form);
        await OAuthAssert.ErrorAsync(response, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidRequest);
    }

    [Test]
    public async Task MalformedPercentEncoding_IsRefused()
    {
        using var response = await PostRawAsync($"grant_type=authorization_code&client_id={client.ClientId}&code=%ZZ", "application/x-www-form-urlencoded");
        await OAuthAssert.ErrorAsync(response, HttpStatusCode.BadRequest, OAuthErrorCodes.InvalidRequest);
    }

    [Test]
    public async Task RefusedRequest_DoesNotConsumeTheCode()
    {
        var code = await Clients.IssueCodeAsync(client.ClientId);
        var form = CodeForm(code, client.ClientId).ToList();
        form.Add(new("code", code.Code));
        using var refused = await PostFormAsync(form);
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));

        var response = await RedeemAsync(client, code);
        Assert.That(response.IsError, Is.False, response.Raw);
    }
}
