using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using TokenFunction.Endpoints;

namespace TokenFunction.Functions;

/// <summary>
/// The token endpoint's HTTP trigger. Anonymous: a function key would travel as the <c>code</c> query
/// parameter, which OAuth reserves; clients authenticate with OAuth client authentication instead.
/// GET is routed here only to answer it with 405 and an OAuth error rather than the host's bare 404.
/// </summary>
public sealed class TokenHttpFunction(TokenEndpoint endpoint)
{
    public const string Name = "Token";

    [Function(Name)]
    public async Task<IActionResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", Route = Routes.Token)] HttpRequest request,
        CancellationToken cancellationToken) =>
        new OAuthActionResult(await endpoint.HandleAsync(request, cancellationToken).ConfigureAwait(false));
}
