namespace TokenFunction.Storage;

/// <summary>
/// How a list of RFC 8707 resources is kept in one String column: one URI per line (a URI cannot hold a line
/// break), absent when there are none.
/// </summary>
public static class ResourceLines
{
    public static string? Join(IEnumerable<string> resources)
    {
        var list = resources.Distinct(StringComparer.Ordinal).ToList();
        if (list.FirstOrDefault(r => r.Length == 0 || r.Contains('\n', StringComparison.Ordinal)) is { } bad)
        {
            throw new ArgumentException($"A resource cannot be empty or hold a line break: '{bad}'.", nameof(resources));
        }

        return list.Count == 0 ? null : string.Join('\n', list);
    }

    public static IReadOnlyList<string> Split(string? column) =>
        (column ?? string.Empty).Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
