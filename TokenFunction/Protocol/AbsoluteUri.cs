namespace TokenFunction.Protocol;

/// <summary>The "absolute URI without a fragment" rule that redirect URIs (RFC 6749 3.1.2) and resources (RFC 8707 2) share.</summary>
public static class AbsoluteUri
{
    /// <remarks>The scheme is checked first: on Unix <see cref="Uri.TryCreate(string, UriKind, out Uri)"/> takes "/path" for a file URI.</remarks>
    public static bool IsValidWithoutFragment(string value) =>
        value.IndexOf(':') is > 0 and var colon
        && Uri.CheckSchemeName(value[..colon])
        && !value.Contains('#')
        && Uri.TryCreate(value, UriKind.Absolute, out var parsed)
        && string.IsNullOrEmpty(parsed.Fragment);
}
