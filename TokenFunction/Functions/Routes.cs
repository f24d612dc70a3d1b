namespace TokenFunction.Functions;

/// <summary>
/// The HTTP routes, shared by the Functions triggers and the local Kestrel host. host.json sets an empty
/// routePrefix so that the well-known documents sit at the root, where RFC 8615 puts them.
/// </summary>
public static class Routes
{
    public const string Token = "api/v1/oauth/token";
    public const string Revocation = "api/v1/oauth/revoke";
    public const string Jwks = ".well-known/jwks.json";
    public const string Metadata = ".well-known/oauth-authorization-server";

    /// <summary>An endpoint's public URL: the issuer's origin and path plus the route, as the metadata publishes it.</summary>
    public static string Absolute(string issuer, string route) => issuer.TrimEnd('/') + "/" + route;
}
