using Microsoft.Extensions.Options;
using TokenFunction.Settings;

namespace TokenFunction.Hosting;

/// <summary>
/// Refuses allowed origins that are not exact origins: a wildcard would let any web page use the endpoints from a
/// visitor's browser, and a path or a typo would silently never match.
/// </summary>
public sealed class CorsOptionsValidator : IValidateOptions<CorsOptions>
{
    public ValidateOptionsResult Validate(string? name, CorsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        foreach (var origin in options.Origins())
        {
            if (origin.Contains('*', StringComparison.Ordinal))
            {
                failures.Add($"{SettingNames.CorsAllowedOrigins} must list each browser app's origin, never a wildcard ('{origin}'): any web page could otherwise call the endpoints.");
            }
            else if (!IsOrigin(origin))
            {
                failures.Add($"{SettingNames.CorsAllowedOrigins} entries must be origins, scheme://host[:port] with https (http only for localhost) and no path; '{origin}' is not.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool IsOrigin(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback))
        && string.IsNullOrEmpty(uri.UserInfo)
        && uri.AbsolutePath == "/" && !text.EndsWith('/')
        && string.IsNullOrEmpty(uri.Query) && string.IsNullOrEmpty(uri.Fragment);
}
