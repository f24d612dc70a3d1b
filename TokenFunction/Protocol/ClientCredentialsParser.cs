using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Primitives;

namespace TokenFunction.Protocol;

/// <summary>Finds the client's credentials in the Authorization header or the body, and refuses ambiguous mixes.</summary>
public static class ClientCredentialsParser
{
    private const string BasicScheme = "Basic";
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

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

            throw OAuthProtocolException.InvalidClient("Client assertions (private_key_jwt) are not supported; use client_secret_basic, client_secret_post or none.", challengeBasic: false);
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

            decoded = StrictUtf8.GetString(bytes, 0, length);
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
