using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using TokenFunction.Endpoints;

namespace TokenFunction.Functions;

/// <summary>The JWKS document's HTTP trigger; public by nature, so anonymous.</summary>
public sealed class JwksHttpFunction(JwksEndpoint endpoint)
{
    public const string Name = "Jwks";

    [Function(Name)]
    public async Task<IActionResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.Jwks)] HttpRequest request,
        CancellationToken cancellationToken) =>
        new OAuthActionResult(await endpoint.HandleAsync(request, cancellationToken).ConfigureAwait(false));
}
