using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Primitives;

namespace TokenFunction.Protocol;

/// <summary>Finds the client's credentials in the Authorization header or the body, and refuses ambiguous mixes.</summary>
public static class ClientCredentialsParser
{
    private const string BasicScheme = "Basic";
    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static ClientCredentials Parse(StringValues authorization, FormParameters form)
    {
        var bodyClientId = form[OAuthParameterNames.ClientId];
        var bodySecret = form[OAuthParameterNames.ClientSecret];
        if (form.Has(OAuthParameterNames.ClientAssertion) || form.Has(OAuthParameterNames.ClientAssertionType))
        {
            if (bodySecret is not null || !StringValues.IsNullOrEmpty(authorization))
            {
                throw MoreThanOneMethod();
            }

            return ParseAssertion(form, bodyClientId);
        }

        if (StringValues.IsNullOrEmpty(authorization))
        {
            if (bodyClientId is null)
            {
                throw OAuthProtocolException.InvalidClient("The request does not identify its client: send client_id, and the client secret for a confidential client.", challengeBasic: false);
            }

            return bodySecret is null
                ? new ClientCredentials(bodyClientId, null, ClientAuthenticationMethod.None)
                : new ClientCredentials(bodyClientId, bodySecret, ClientAuthenticationMethod.ClientSecretPost);
        }

        var (basicId, basicSecret) = DecodeBasic(authorization);
        if (bodySecret is not null)
        {
            throw MoreThanOneMethod();
        }

        if (bodyClientId is not null && !string.Equals(bodyClientId, basicId, StringComparison.Ordinal))
        {
            throw OAuthProtocolException.InvalidRequest("The client_id in the body differs from the client in the Authorization header.");
        }

        return new ClientCredentials(basicId, basicSecret, ClientAuthenticationMethod.ClientSecretBasic);
    }

    /// <summary>
    /// RFC 7521 section 4.2: both parameters, the JWT bearer type, and a body <c>client_id</c> (optional) naming the
    /// same client as the assertion's subject. The signature and claims are checked once the client is known.
    /// </summary>
    private static ClientCredentials ParseAssertion(FormParameters form, string? bodyClientId)
    {
        var type = form.Required(OAuthParameterNames.ClientAssertionType);
        var compact = form.Required(OAuthParameterNames.ClientAssertion);
        if (!string.Equals(type, ClientAuthenticationMethods.JwtBearerAssertionType, StringComparison.Ordinal))
        {
            throw OAuthProtocolException.InvalidClient(
                $"The client_assertion_type must be {ClientAuthenticationMethods.JwtBearerAssertionType}.", challengeBasic: false);
        }

        if (!ClientAssertion.TryParse(compact, out var assertion, out var error))
        {
            throw OAuthProtocolException.InvalidClient(error!, challengeBasic: false);
        }

        var clientId = assertion!.Claims.Subject;
        if (string.IsNullOrEmpty(clientId))
        {
            throw OAuthProtocolException.InvalidClient("The client assertion has no sub claim naming the client.", challengeBasic: false);
        }

        if (bodyClientId is not null && !string.Equals(bodyClientId, clientId, StringComparison.Ordinal))
        {
            throw OAuthProtocolException.InvalidRequest("The client_id in the body differs from the client assertion's subject.");
        }

        return new ClientCredentials(clientId, null, ClientAuthenticationMethod.PrivateKeyJwt) { Assertion = assertion };
    }

    private static (string ClientId, string Secret) DecodeBasic(StringValues authorization)
    {
        if (authorization.Count != 1
            || !AuthenticationHeaderValue.TryParse(authorization[0], out var header)
            || !string.Equals(header.Scheme, BasicScheme, StringComparison.OrdinalIgnoreCase))
        {
            throw OAuthProtocolException.InvalidClient("The Authorization header must use the Basic scheme with the client's id and secret.", challengeBasic: true);
        }

        var parameter = header.Parameter ?? string.Empty;
        var bytes = new byte[parameter.Length];
        string decoded;
        try
        {
            if (!Convert.TryFromBase64String(parameter, bytes, out var length))
            {
                throw MalformedBasic();
            }

            decoded = s_strictUtf8.GetString(bytes, 0, length);
        }
        catch (DecoderFallbackException)
        {
            throw MalformedBasic();
        }

        // RFC 6749 Appendix B: id and secret are form-url-encoded before they are joined with ':'.
        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0
            || !FormUrlEncoding.TryDecode(decoded[..colon], out var clientId)
            || !FormUrlEncoding.TryDecode(decoded[(colon + 1)..], out var secret)
            || clientId.Length == 0 || secret.Length == 0)
        {
            throw MalformedBasic();
        }

        return (clientId, secret);
    }

    private static OAuthProtocolException MalformedBasic() =>
        OAuthProtocolException.InvalidClient("The Basic credentials are malformed: expected base64 of the form-url-encoded client id, ':', and secret.", challengeBasic: true);

    private static OAuthProtocolException MoreThanOneMethod() =>
        OAuthProtocolException.InvalidRequest("The request uses more than one client authentication method; use exactly one.");
}
