using Microsoft.AspNetCore.Http;
using TokenFunction.Protocol;

namespace TokenFunction.Endpoints;

/// <summary>Writes an <see cref="OAuthResult"/> to an ASP.NET Core response, the one HTTP shape both hosts run on.</summary>
public static class OAuthResultWriter
{
    public static async Task WriteAsync(this OAuthResult result, HttpResponse response)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(response);
        response.StatusCode = result.StatusCode;
        foreach (var (name, value) in result.Headers)
        {
            response.Headers[name] = value;
        }

        if (result.Body.Length > 0)
        {
            response.ContentType = OAuthResult.JsonContentType;
        }

        response.ContentLength = result.Body.Length;
        await response.Body.WriteAsync(result.Body).ConfigureAwait(false);
    }
}
