using System.Text;
using Microsoft.AspNetCore.Http;
using TokenFunction.Protocol;

namespace TokenFunction.Tests.Unit.Protocol;

public class FormBodyReaderTests
{
    private const string Form = "application/x-www-form-urlencoded";

    [TestCase(Form)]
    [TestCase("application/x-www-form-urlencoded; charset=UTF-8")]
    [TestCase("application/x-www-form-urlencoded;charset=utf-8")]
    [TestCase("application/x-www-form-urlencoded; charset=ISO-8859-1")]
    [TestCase("Application/X-WWW-Form-UrlEncoded")]
    public async Task ReadAsync_AcceptsFormContentTypeWithAnyCharsetAndCase(string contentType)
    {
        var form = await ReadAsync(Request("grant_type=authorization_code", contentType), CancellationToken.None);

        Assert.That(form["grant_type"], Is.EqualTo("authorization_code"));
    }

    [TestCase("application/json")]
    [TestCase("multipart/form-data; boundary=xyz")]
    [TestCase("text/plain")]
    public async Task ReadAsync_RefusesOtherContentTypesNamingThem(string contentType)
    {
        var error = await RefusedAsync(Request("grant_type=authorization_code", contentType));

        Assert.That(error.Message, Does.Contain("Content-Type").And.Contain(contentType.Split(';')[0]).And.Contain(Form));
    }

    [TestCase(null)]
    [TestCase("")]
    public async Task ReadAsync_RefusesMissingContentType(string? contentType)
    {
        var error = await RefusedAsync(Request("grant_type=authorization_code", contentType));

        Assert.That(error.Message, Does.Contain("no Content-Type"));
    }

    [Test]
    public async Task ReadAsync_RefusesEmptyBody()
    {
        var error = await RefusedAsync(Request(string.Empty, Form));

        Assert.That(error.Message, Does.Contain("body is empty"));
    }

    [Test]
    public async Task ReadAsync_RefusesBodyOverLimitByContentLengthBeforeReading()
    {
        var request = Request("grant_type=authorization_code", Form);
        request.ContentLength = FormBodyReader.MaxBodyBytes + 1;

        var error = await RefusedAsync(request);

        Assert.That(error.Message, Does.Contain("larger than 16384 bytes"));
    }

    [Test]
    public async Task ReadAsync_RefusesBodyOverLimitByActualBytesWithoutContentLength()
    {
        var request = Request(BodyOfLength(FormBodyReader.MaxBodyBytes + 1), Form);
        Assert.That(request.ContentLength, Is.Null);

        var error = await RefusedAsync(request);

        Assert.That(error.Message, Does.Contain("larger than 16384 bytes"));
    }

    [Test]
    public async Task ReadAsync_AcceptsBodyOfExactlyTheLimit()
    {
        var body = BodyOfLength(FormBodyReader.MaxBodyBytes);
        Assert.That(Encoding.ASCII.GetByteCount(body), Is.EqualTo(16384));

        var form = await ReadAsync(Request(body, Form), CancellationToken.None);

        Assert.That(form["grant_type"], Is.EqualTo("authorization_code"));
    }

    [Test]
    public async Task ReadAsync_AcceptsBodyOfExactlyTheLimitWithContentLength()
    {
        var body = BodyOfLength(FormBodyReader.MaxBodyBytes);
        var request = Request(body, Form);
        request.ContentLength = FormBodyReader.MaxBodyBytes;

        var form = await ReadAsync(request, CancellationToken.None);

        Assert.That(form["padding"], Has.Length.GreaterThan(16000));
    }

    [Test]
    public async Task ReadAsync_ReadsBodyThatArrivesInSmallChunks()
    {
        var context = new DefaultHttpContext();
        context.Request.ContentType = Form;
        context.Request.Body = new TrickleStream(Encoding.ASCII.GetBytes("grant_type=authorization_code&code=abc"));

        var form = await ReadAsync(context.Request, CancellationToken.None);

        Assert.That(form["code"], Is.EqualTo("abc"));
    }

    [Test]
    public void Parse_AllowsResourceSentSeveralTimes_AndListsEveryValueInOrder()
    {
        var parameters = FormBodyReader.Parse("resource=https%3A%2F%2Fa.test%2F&grant_type=x&resource=https%3A%2F%2Fb.test%2F&resource="u8);

        Assert.That(parameters.Resources, Is.EqualTo(new[] { "https://a.test/", "https://b.test/", "" }));
        Assert.That(parameters["grant_type"], Is.EqualTo("x"));
    }

    [TestCase("code=a&code=b")]
    [TestCase("code=a&grant_type=x&code=a")]
    [TestCase("code=&code=b")]
    [TestCase("code=a&c%6Fde=b")]
    public void Parse_RejectsParameterSentTwice(string body)
    {
        var error = Refused(body);

        Assert.That(error.Message, Does.Contain("'code'").And.Contain("more than once"));
    }

    [TestCase("code=%")]
    [TestCase("code=%4")]
    [TestCase("code=%G1")]
    [TestCase("code=abc%2")]
    [TestCase("co%zde=abc")]
    public void Parse_RejectsMalformedPercentEncoding(string body)
    {
        var error = Refused(body);

        Assert.That(error.Message, Does.Contain("not valid application/x-www-form-urlencoded"));
    }

    [TestCase("code=%FF")]
    [TestCase("code=%C3%28")]
    [TestCase("code=%ED%A0%80")]
    public void Parse_RejectsInvalidUtf8(string body)
    {
        var error = Refused(body);

        Assert.That(error.Message, Does.Contain("UTF-8"));
    }

    [Test]
    public void Parse_RejectsRawInvalidUtf8Bytes()
    {
        Assert.That(
            () => FormBodyReader.Parse([.. "code="u8, 0xC3, 0x28]),
            Throws.TypeOf<OAuthProtocolException>().With.Property(nameof(OAuthProtocolException.Error)).EqualTo(OAuthErrorCodes.InvalidRequest));
    }

    [Test]
    public void Parse_DecodesPlusAsSpace()
    {
        var form = Parse("scope=read+write");

        Assert.That(form["scope"], Is.EqualTo("read write"));
    }

    [Test]
    public void Parse_DecodesPercentEscapesAsUtf8()
    {
        var form = Parse("redirect_uri=https%3A%2F%2Fapp.example%2Fcb%3Fa%3D1%26b%3D2&subject=J%C3%BCrgen%2B%E2%82%AC");

        Assert.Multiple(() =>
        {
            Assert.That(form["redirect_uri"], Is.EqualTo("https://app.example/cb?a=1&b=2"));
            Assert.That(form["subject"], Is.EqualTo("Jürgen+€"));
        });
    }

    [TestCase("code=")]
    [TestCase("code")]
    public void Parse_TreatsEmptyValueAsAbsent(string body)
    {
        var form = Parse(body + "&grant_type=authorization_code");

        Assert.Multiple(() =>
        {
            Assert.That(form["code"], Is.Null);
            Assert.That(form.Has("code"), Is.False);
            Assert.That(form["grant_type"], Is.EqualTo("authorization_code"));
        });
    }

    [Test]
    public void Parse_RequiredOfAbsentParameterIsInvalidRequestNamingIt()
    {
        var form = Parse("code=");

        Assert.That(
            () => form.Required("code"),
            Throws.TypeOf<OAuthProtocolException>()
                .With.Property(nameof(OAuthProtocolException.Error)).EqualTo(OAuthErrorCodes.InvalidRequest)
                .And.Message.Contains("'code'"));
    }

    [Test]
    public void Parse_IgnoresUnknownParametersAndEmptyPairs()
    {
        var form = Parse("&foo=bar&&grant_type=authorization_code&x-custom=1&");

        Assert.Multiple(() =>
        {
            Assert.That(form["grant_type"], Is.EqualTo("authorization_code"));
            Assert.That(form["foo"], Is.EqualTo("bar"));
            Assert.That(form["code"], Is.Null);
        });
    }

    [Test]
    public void Parse_KeepsEqualsSignsInValue()
    {
        var form = Parse("code=a=b==");

        Assert.That(form["code"], Is.EqualTo("a=b=="));
    }

    [Test]
    public void Parse_ParameterNamesAreCaseSensitive()
    {
        var form = Parse("Code=abc");

        Assert.That(form["code"], Is.Null);
    }

    private static FormParameters Parse(string body) => FormBodyReader.Parse(Encoding.UTF8.GetBytes(body));

    private static OAuthProtocolException Refused(string body)
    {
        var error = Assert.Throws<OAuthProtocolException>(() => Parse(body));
        Assert.That(error, Is.Not.Null);
        Assert.That(error!.Error, Is.EqualTo(OAuthErrorCodes.InvalidRequest));
        Assert.That(error.StatusCode, Is.EqualTo(StatusCodes.Status400BadRequest));
        return error;
    }

    private static async Task<OAuthProtocolException> RefusedAsync(HttpRequest request)
    {
        var error = await Assert.ThrowsAsync<OAuthProtocolException>(() => ReadAsync(request, CancellationToken.None));
        Assert.That(error, Is.Not.Null);
        Assert.That(error!.Error, Is.EqualTo(OAuthErrorCodes.InvalidRequest));
        Assert.That(error.StatusCode, Is.EqualTo(StatusCodes.Status400BadRequest));
        return error;
    }

    private static HttpRequest Request(string body, string? contentType)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = HttpMethods.Post;
        context.Request.ContentType = contentType;
        context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(body));
        return context.Request;
    }

    /// <summary>A valid form body of exactly <paramref name="length"/> ASCII bytes.</summary>
    private static string BodyOfLength(int length)
    {
        const string prefix = "grant_type=authorization_code&padding=";
        return prefix + new string('a', length - prefix.Length);
    }

    /// <summary>Returns at most 3 bytes per read, as a slow network would.</summary>
    private sealed class TrickleStream(byte[] data) : MemoryStream(data)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(3, buffer.Length)], cancellationToken);
    }

    private static Task<FormParameters> ReadAsync(HttpRequest request, CancellationToken cancellationToken) =>
        FormBodyReader.ReadAsync(request.ContentType, request.ContentLength, request.Body, cancellationToken);
}
