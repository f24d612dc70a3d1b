using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using TokenFunction.Endpoints;

namespace TokenFunction.Functions;

/// <summary>The RFC 8414 metadata document's HTTP trigger; public by nature, so anonymous.</summary>
public sealed class MetadataHttpFunction(MetadataEndpoint endpoint)
{
    public const string Name = "Metadata";

    [Function(Name)]
    public async Task<IActionResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.Metadata)] HttpRequest request,
        CancellationToken cancellationToken) =>
        new OAuthActionResult(await endpoint.HandleAsync(request, cancellationToken).ConfigureAwait(false));
}
