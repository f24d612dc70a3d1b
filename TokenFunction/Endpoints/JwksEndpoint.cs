using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using TokenFunction.Protocol;
using TokenFunction.Signing;

namespace TokenFunction.Endpoints;

/// <summary>GET /.well-known/jwks.json: the public keys that verify the service's access tokens (RFC 7517).</summary>
public sealed partial class JwksEndpoint(ISigningKeyProvider keys, ILogger<JwksEndpoint> logger)
{
    /// <summary>Short enough that a new key reaches resource servers well within the pre-publication delay.</summary>
    public const int MaxAgeSeconds = 300;

    public async Task<OAuthResult> HandleAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!HttpMethods.IsGet(request.Method))
        {
            return OAuthResult.MethodNotAllowed(HttpMethods.Get);
        }

        try
        {
            var published = await keys.GetPublicKeysAsync(cancellationToken).ConfigureAwait(false);
            return OAuthResult.PublicDocument(new JsonWebKeySetDocument(published), MaxAgeSeconds);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            LogFault(logger, e);
            return FaultClassifier.IsTransient(e) ? OAuthResult.TemporarilyUnavailable(FaultClassifier.RetryAfter(e)) : OAuthResult.ServerError();
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The JWKS document could not be built.")]
    private static partial void LogFault(ILogger logger, Exception exception);
}

/// <summary>The JWKS document: <c>{"keys": [...]}</c>.</summary>
public sealed record JsonWebKeySetDocument([property: JsonPropertyName("keys")] IReadOnlyList<PublicJsonWebKey> Keys);
