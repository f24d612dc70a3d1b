using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using TokenFunction.Grants;
using TokenFunction.Protocol;
using TokenFunction.Settings;

namespace TokenFunction.Endpoints;

/// <summary>
/// GET /.well-known/oauth-authorization-server (RFC 8414). Every list is read from what the code supports, so the
/// document cannot promise what the service does not do. Endpoint URLs come from <see cref="EndpointUrls"/>.
/// </summary>
public sealed class MetadataEndpoint(IOptions<TokenOptions> options, IOptions<EndpointUrls> urls, IOptions<DpopOptions> dpop, GrantHandlers grants)
{
    public const int MaxAgeSeconds = 3600;

    public Task<OAuthResult> HandleAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!HttpMethods.IsGet(request.Method))
        {
            return Task.FromResult(OAuthResult.MethodNotAllowed(HttpMethods.Get));
        }

        var issuer = options.Value.Issuer!;
        var document = new AuthorizationServerMetadata(
            Issuer: issuer,
            TokenEndpoint: urls.Value.TokenEndpoint,
            JwksUri: urls.Value.JwksUri,
            ResponseTypesSupported: ["code"],
            GrantTypesSupported: [.. grants.SupportedGrantTypes.Order(StringComparer.Ordinal)],
            TokenEndpointAuthMethodsSupported: ClientAuthenticationMethods.Supported,
            TokenEndpointAuthSigningAlgValuesSupported: JwsAlgorithms.Supported,
            CodeChallengeMethodsSupported: Pkce.Methods,
            RevocationEndpoint: urls.Value.RevocationEndpoint,
            RevocationEndpointAuthMethodsSupported: ClientAuthenticationMethods.Supported,
            RevocationEndpointAuthSigningAlgValuesSupported: JwsAlgorithms.Supported,
            AuthorizationEndpoint: options.Value.AuthorizationEndpoint?.AbsoluteUri,
            DpopSigningAlgValuesSupported: dpop.Value.Algorithms());
        return Task.FromResult(OAuthResult.PublicDocument(document, MaxAgeSeconds));
    }
}

/// <summary>The metadata members this service publishes (RFC 8414 section 2).</summary>
public sealed record AuthorizationServerMetadata(
    [property: JsonPropertyName("issuer")] string Issuer,
    [property: JsonPropertyName("token_endpoint")] string TokenEndpoint,
    [property: JsonPropertyName("jwks_uri")] string JwksUri,
    [property: JsonPropertyName("response_types_supported")] IReadOnlyList<string> ResponseTypesSupported,
    [property: JsonPropertyName("grant_types_supported")] IReadOnlyList<string> GrantTypesSupported,
    [property: JsonPropertyName("token_endpoint_auth_methods_supported")] IReadOnlyList<string> TokenEndpointAuthMethodsSupported,
    [property: JsonPropertyName("token_endpoint_auth_signing_alg_values_supported")] IReadOnlyList<string> TokenEndpointAuthSigningAlgValuesSupported,
    [property: JsonPropertyName("code_challenge_methods_supported")] IReadOnlyList<string> CodeChallengeMethodsSupported,
    [property: JsonPropertyName("revocation_endpoint")] string RevocationEndpoint,
    [property: JsonPropertyName("revocation_endpoint_auth_methods_supported")] IReadOnlyList<string> RevocationEndpointAuthMethodsSupported,
    [property: JsonPropertyName("revocation_endpoint_auth_signing_alg_values_supported")] IReadOnlyList<string> RevocationEndpointAuthSigningAlgValuesSupported,
    [property: JsonPropertyName("authorization_endpoint")][property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? AuthorizationEndpoint,
    [property: JsonPropertyName("dpop_signing_alg_values_supported")] IReadOnlyList<string> DpopSigningAlgValuesSupported);
