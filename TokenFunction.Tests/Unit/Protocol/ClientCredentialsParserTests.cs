using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using TokenFunction.Protocol;

namespace TokenFunction.Tests.Unit.Protocol;

public class ClientCredentialsParserTests
{
    [TestCase("s3cr3t")]
    [TestCase("pa:ss:word")]
    [TestCase("a+b")]
    [TestCase("100%")]
    [TestCase("with space")]
    [TestCase("Grüße-€-密码")]
    [TestCase("=&/?#\"'\\")]
    public void Parse_Basic_DecodesFormUrlEncodedSecret(string secret)
    {
        var credentials = ClientCredentialsParser.Parse(Basic("my-client", secret), Form());

        Assert.That(credentials, Is.EqualTo(new ClientCredentials("my-client", secret, ClientAuthenticationMethod.ClientSecretBasic)));
    }

    [TestCase("client:with:colons")]
    [TestCase("client with space")]
    [TestCase("ünïcode")]
    [TestCase("a+b%c")]
    public void Parse_Basic_DecodesFormUrlEncodedClientId(string clientId)
    {
        var credentials = ClientCredentialsParser.Parse(Basic(clientId, "secret"), Form());

        Assert.That(credentials.ClientId, Is.EqualTo(clientId));
    }

    [Test]
    public void Parse_Basic_DecodesUnescapedPlusAsSpace()
    {
        // RFC 6749 Appendix B: the values are form-url-encoded, where '+' stands for a space.
        var header = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("client:a+b"));

        var credentials = ClientCredentialsParser.Parse(header, Form());

        Assert.That(credentials.Secret, Is.EqualTo("a b"));
    }

    [Test]
    public void Parse_Basic_SchemeIsCaseInsensitive()
    {
        var header = "basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("client:secret"));

        var credentials = ClientCredentialsParser.Parse(header, Form());

        Assert.That(credentials.Method, Is.EqualTo(ClientAuthenticationMethod.ClientSecretBasic));
    }

    [Test]
    public void Parse_Post_UsesBodyIdAndSecret()
    {
        var credentials = ClientCredentialsParser.Parse(StringValues.Empty, Form(("client_id", "my-client"), ("client_secret", "s3cr3t")));

        Assert.Multiple(() =>
        {
            Assert.That(credentials, Is.EqualTo(new ClientCredentials("my-client", "s3cr3t", ClientAuthenticationMethod.ClientSecretPost)));
            Assert.That(credentials.UsedBasic, Is.False);
        });
    }

    [Test]
    public void Parse_None_PublicClientSendsOnlyClientId()
    {
        var credentials = ClientCredentialsParser.Parse(StringValues.Empty, Form(("client_id", "spa")));

        Assert.That(credentials, Is.EqualTo(new ClientCredentials("spa", null, ClientAuthenticationMethod.None)));
    }

    [Test]
    public void Parse_None_EmptyClientSecretCountsAsAbsent()
    {
        var credentials = ClientCredentialsParser.Parse(StringValues.Empty, Form(("client_id", "spa"), ("client_secret", "")));

        Assert.That(credentials.Method, Is.EqualTo(ClientAuthenticationMethod.None));
    }

    [Test]
    public void Parse_RejectsBasicTogetherWithBodySecret()
    {
        var error = Refused(Basic("my-client", "s3cr3t"), Form(("client_id", "my-client"), ("client_secret", "s3cr3t")));

        Assert.Multiple(() =>
        {
            Assert.That(error.Error, Is.EqualTo(OAuthErrorCodes.InvalidRequest));
            Assert.That(error.StatusCode, Is.EqualTo(StatusCodes.Status400BadRequest));
            Assert.That(error.Message, Does.Contain("more than one client authentication method"));
        });
    }

    [Test]
    public void Parse_RejectsBasicIdDifferentFromBodyClientId()
    {
        var error = Refused(Basic("my-client", "s3cr3t"), Form(("client_id", "other-client")));

        Assert.Multiple(() =>
        {
            Assert.That(error.Error, Is.EqualTo(OAuthErrorCodes.InvalidRequest));
            Assert.That(error.Message, Does.Contain("client_id in the body differs"));
        });
    }

    [Test]
    public void Parse_AcceptsBasicWithSameBodyClientId()
    {
        var credentials = ClientCredentialsParser.Parse(Basic("my-client", "s3cr3t"), Form(("client_id", "my-client")));

        Assert.That(credentials, Is.EqualTo(new ClientCredentials("my-client", "s3cr3t", ClientAuthenticationMethod.ClientSecretBasic)));
    }

    [TestCase("Basic !!!not-base64!!!", TestName = "Parse_RejectsBasicWithMalformedBase64")]
    [TestCase("Basic bXktY2xpZW50", TestName = "Parse_RejectsBasicWithoutColon")]
    [TestCase("Basic OnNlY3JldA==", TestName = "Parse_RejectsBasicWithEmptyClientId")]
    [TestCase("Basic bXktY2xpZW50Og==", TestName = "Parse_RejectsBasicWithEmptySecret")]
    [TestCase("Basic", TestName = "Parse_RejectsBasicWithoutCredentials")]
    [TestCase("Basic wyg6c2VjcmV0", TestName = "Parse_RejectsBasicWithInvalidUtf8")]
    [TestCase("Basic Y2xpZW50OiVaWg==", TestName = "Parse_RejectsBasicWithMalformedPercentEncoding")]
    [TestCase("Bearer eyJhbGciOiJub25lIn0.e30.", TestName = "Parse_RejectsNonBasicScheme")]
    [TestCase("Digest username=\"x\"", TestName = "Parse_RejectsDigestScheme")]
    public void Parse_MalformedAuthorizationIsInvalidClientWithBasicChallenge(string authorization)
    {
        var error = Refused(authorization, Form(("client_id", "my-client")));

        Assert.Multiple(() =>
        {
            Assert.That(error.Error, Is.EqualTo(OAuthErrorCodes.InvalidClient));
            Assert.That(error.StatusCode, Is.EqualTo(StatusCodes.Status401Unauthorized));
            Assert.That(error.ChallengeBasic, Is.True);
            Assert.That(error.LogDetail, Does.Contain("Basic"));
        });
    }

    [Test]
    public void Parse_RejectsTwoAuthorizationHeaders()
    {
        var error = Refused(new StringValues([Basic("a", "b"), Basic("a", "b")]), Form());

        Assert.Multiple(() =>
        {
            Assert.That(error.Error, Is.EqualTo(OAuthErrorCodes.InvalidClient));
            Assert.That(error.ChallengeBasic, Is.True);
        });
    }

    [TestCase("client_assertion")]
    [TestCase("client_assertion_type")]
    public void Parse_RefusesHalfAnAssertionAsAMissingParameter(string parameter)
    {
        var value = parameter == "client_assertion" ? UnsignedLookingAssertion("my-client") : ClientAuthenticationMethods.JwtBearerAssertionType;
        var error = Refused(StringValues.Empty, Form(("client_id", "my-client"), (parameter, value)));

        Assert.Multiple(() =>
        {
            Assert.That(error.Error, Is.EqualTo(OAuthErrorCodes.InvalidRequest));
            Assert.That(error.Message, Does.Contain(parameter == "client_assertion" ? "client_assertion_type" : "client_assertion"));
        });
    }

    [Test]
    public void Parse_ReadsTheClientOfAnAssertionFromItsSubject()
    {
        var credentials = ClientCredentialsParser.Parse(StringValues.Empty, Form(
            ("client_assertion_type", ClientAuthenticationMethods.JwtBearerAssertionType), ("client_assertion", UnsignedLookingAssertion("my-client"))));

        Assert.Multiple(() =>
        {
            Assert.That(credentials.ClientId, Is.EqualTo("my-client"));
            Assert.That(credentials.Method, Is.EqualTo(ClientAuthenticationMethod.PrivateKeyJwt));
            Assert.That(credentials.Assertion, Is.Not.Null);
            Assert.That(credentials.Secret, Is.Null);
        });
    }

    [TestCase("not-a-jwt")]
    [TestCase("a.b")]
    [TestCase("e30.e30.c2ln.x.y")]
    [TestCase("e30.e30.")]
    [TestCase("W10.e30.c2ln")]
    [TestCase("eyJhbGciOiJSUzI1NiJ9.W10.c2ln")]
    [TestCase("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOjF9.c2ln")]
    [TestCase("eyJhbGciOiJSUzI1NiJ9.eyJleHAiOiJzb29uIn0.c2ln")]
    [TestCase("eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOjF9.c2ln")]
    [TestCase("eyJhbGciOiJSUzI1NiJ9.e30.c2ln")]
    [TestCase("eyJhbGciOiJSUzI1NiIsImNyaXQiOlsiYjY0Il19.eyJzdWIiOiJteS1jbGllbnQifQ.c2ln")]
    public void Parse_RefusesAnAssertionThatIsNotAWellFormedSignedJwt(string assertion)
    {
        var error = Refused(StringValues.Empty, Form(("client_assertion_type", ClientAuthenticationMethods.JwtBearerAssertionType), ("client_assertion", assertion)));

        Assert.Multiple(() =>
        {
            Assert.That(error.Error, Is.EqualTo(OAuthErrorCodes.InvalidClient));
            Assert.That(error.StatusCode, Is.EqualTo(StatusCodes.Status401Unauthorized));
            Assert.That(error.ChallengeBasic, Is.False);
        });
    }

    [Test]
    public void Parse_RefusesAnAssertionLongerThanAnyRealOne()
    {
        var assertion = UnsignedLookingAssertion("my-client") + new string('A', ClientAssertion.MaxLength);

        var error = Refused(StringValues.Empty, Form(("client_assertion_type", ClientAuthenticationMethods.JwtBearerAssertionType), ("client_assertion", assertion)));

        Assert.That(error.LogDetail, Does.Contain(ClientAssertion.MaxLength.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Test]
    public void Parse_RejectsClientAssertionTogetherWithBasic()
    {
        var error = Refused(Basic("my-client", "s3cr3t"), Form(("client_assertion", "x"), ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")));

        Assert.That(error.Error, Is.EqualTo(OAuthErrorCodes.InvalidRequest));
    }

    [Test]
    public void Parse_RejectsRequestWithoutClientId()
    {
        var error = Refused(StringValues.Empty, Form(("grant_type", "authorization_code")));

        Assert.Multiple(() =>
        {
            Assert.That(error.Error, Is.EqualTo(OAuthErrorCodes.InvalidClient));
            Assert.That(error.StatusCode, Is.EqualTo(StatusCodes.Status401Unauthorized));
            Assert.That(error.ChallengeBasic, Is.False);
            Assert.That(error.LogDetail, Does.Contain("client_id"));
        });
    }

    [Test]
    public void Parse_RejectsBodySecretWithoutClientId()
    {
        var error = Refused(StringValues.Empty, Form(("client_secret", "s3cr3t")));

        Assert.That(error.Error, Is.EqualTo(OAuthErrorCodes.InvalidClient));
    }

    [Test]
    public void ToString_DoesNotRevealSecret()
    {
        var credentials = new ClientCredentials("my-client", "very-secret-value", ClientAuthenticationMethod.ClientSecretPost);

        Assert.That(credentials.ToString(), Does.Contain("my-client").And.Not.Contain("very-secret-value"));
    }

    /// <summary>RFC 6749 Appendix B: form-url-encode id and secret, join with ':', base64.</summary>
    /// <summary>Well-formed (RS256 header, iss/sub claims, some signature bytes) but not signed by anyone: the parser does not verify.</summary>
    private static string UnsignedLookingAssertion(string clientId) =>
        $"{B64("{\"alg\":\"RS256\"}")}.{B64($"{{\"iss\":\"{clientId}\",\"sub\":\"{clientId}\"}}")}.{B64("sig")}";

    private static string B64(string text) => System.Buffers.Text.Base64Url.EncodeToString(System.Text.Encoding.UTF8.GetBytes(text));

    private static string Basic(string clientId, string secret) =>
        "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(FormEncode(clientId) + ":" + FormEncode(secret)));

    /// <summary>Escapes everything but unreserved characters, and writes a space as '+', as a form encoder does.</summary>
    private static string FormEncode(string value) => Uri.EscapeDataString(value).Replace("%20", "+", StringComparison.Ordinal);

    private static FormParameters Form(params (string Name, string Value)[] parameters) =>
        new(parameters.ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal));

    private static OAuthProtocolException Refused(StringValues authorization, FormParameters form)
    {
        var error = Assert.Throws<OAuthProtocolException>(() => ClientCredentialsParser.Parse(authorization, form));
        Assert.That(error, Is.Not.Null);
        return error!;
    }
}
