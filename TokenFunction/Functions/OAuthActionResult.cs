using Microsoft.AspNetCore.Mvc;
using TokenFunction.Endpoints;
using TokenFunction.Protocol;

namespace TokenFunction.Functions;

/// <summary>An endpoint's <see cref="OAuthResult"/> as the Functions host runs results: an <see cref="IActionResult"/>.</summary>
public sealed class OAuthActionResult(OAuthResult result) : IActionResult
{
    public OAuthResult Result => result;

    public Task ExecuteResultAsync(ActionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return result.WriteAsync(context.HttpContext.Response);
    }
}
