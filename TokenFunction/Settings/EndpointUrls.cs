namespace TokenFunction.Settings;

/// <summary>
/// The public URLs of the service's endpoints: what the metadata document (RFC 8414) publishes, and the token endpoint
/// a client assertion (RFC 7523) may name as its audience. Not read from configuration: the host derives them at start-up
/// from <see cref="TokenOptions.Issuer"/> and its routes, so nothing below the host needs to know a route.
/// </summary>
public sealed class EndpointUrls
{
    public string TokenEndpoint { get; set; } = string.Empty;

    public string RevocationEndpoint { get; set; } = string.Empty;

    public string JwksUri { get; set; } = string.Empty;
}
