using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using TokenFunction.Endpoints;

namespace TokenFunction.Functions;

/// <summary>
/// The RFC 7009 revocation endpoint's HTTP trigger. Anonymous for the token endpoint's reason: clients authenticate
/// with OAuth client authentication. GET is routed here only to answer it with 405 and an OAuth error.
/// </summary>
public sealed class RevocationHttpFunction(RevocationEndpoint endpoint)
{
    public const string Name = "Revocation";

    [Function(Name)]
    public async Task<IActionResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", Route = Routes.Revocation)] HttpRequest request,
        CancellationToken cancellationToken) =>
        new OAuthActionResult(await endpoint.HandleAsync(request, cancellationToken).ConfigureAwait(false));
}
