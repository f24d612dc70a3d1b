namespace TokenFunction.Protocol;

/// <summary>RFC 6749 section 3.3 scope lists: space-separated, each scope once, order kept.</summary>
public static class Scopes
{
    /// <summary>The scopes of a <c>scope</c> value, duplicates dropped, order kept; none for null or blank.</summary>
    public static IReadOnlyList<string> Parse(string? scope) =>
        [.. (scope ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal)];

    /// <summary>The first of <paramref name="scopes"/> that <paramref name="allowed"/> lacks; null when all are allowed.</summary>
    public static string? FirstOutside(IEnumerable<string> scopes, IReadOnlySet<string> allowed) =>
        scopes.FirstOrDefault(scope => !allowed.Contains(scope));

    public static string Join(IEnumerable<string> scopes) => string.Join(' ', scopes);

    /// <summary>A scope token: one or more of %x21 / %x23-5B / %x5D-7E (no space, no '"', no '\').</summary>
    public static bool IsValidToken(string scope) =>
        scope.Length > 0 && scope.All(c => c is >= '\x21' and <= '\x7E' && c != '"' && c != '\\');
}
