namespace TokenFunction.Protocol;

/// <summary>How a request identified its client (RFC 6749 section 2.3, OAuth 2.1 section 2.4).</summary>
public enum ClientAuthenticationMethod
{
    /// <summary>A public client: <c>client_id</c> only.</summary>
    None,

    /// <summary>HTTP Basic with the form-url-encoded id and secret (RFC 6749 section 2.3.1, Appendix B).</summary>
    ClientSecretBasic,

    /// <summary><c>client_id</c> and <c>client_secret</c> in the body.</summary>
    ClientSecretPost,

    /// <summary>A JWT signed with the client's private key (RFC 7523 section 2.2, OpenID Connect Core section 9).</summary>
    PrivateKeyJwt,
}

/// <summary>The RFC 8414 / RFC 7591 names of the authentication methods.</summary>
public static class ClientAuthenticationMethods
{
    /// <summary>The <c>client_assertion_type</c> of a JWT client assertion (RFC 7523 section 2.2).</summary>
    public const string JwtBearerAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

    public static string NameOf(ClientAuthenticationMethod method) => method switch
    {
        ClientAuthenticationMethod.None => "none",
        ClientAuthenticationMethod.ClientSecretBasic => "client_secret_basic",
        ClientAuthenticationMethod.ClientSecretPost => "client_secret_post",
        ClientAuthenticationMethod.PrivateKeyJwt => "private_key_jwt",
        _ => throw new ArgumentOutOfRangeException(nameof(method), method, "Unknown client authentication method."),
    };

    /// <summary>Every method the parser accepts, named as metadata documents name them.</summary>
    public static IReadOnlyList<string> Supported { get; } = [.. Enum.GetValues<ClientAuthenticationMethod>().Select(NameOf)];
}

/// <summary>The client identity and secret or assertion a request presented, before they are checked.</summary>
public sealed record ClientCredentials(string ClientId, string? Secret, ClientAuthenticationMethod Method)
{
    /// <summary>The parsed, not yet verified, assertion of <see cref="ClientAuthenticationMethod.PrivateKeyJwt"/>.</summary>
    public ClientAssertion? Assertion { get; init; }

    public bool UsedBasic => Method == ClientAuthenticationMethod.ClientSecretBasic;

    /// <summary>Keeps the secret out of logs and debugger views.</summary>
    public override string ToString() => $"ClientCredentials {{ ClientId = {ClientId}, Method = {Method} }}";
}
