namespace TokenFunction.Protocol;

/// <summary>
/// The parameters of a token request body. An empty value counts as absent (RFC 6749 section 3.1). Duplicates are
/// refused when the body is read (<see cref="FormBodyReader"/>); parameters nobody declared are ignored (section 3.2):
/// a view made by <see cref="Only"/> shows a grant just the parameters it declared, and reading any other is a bug.
/// </summary>
public sealed class FormParameters
{
    private readonly Dictionary<string, string> _values;
    private readonly IReadOnlyList<string> _resources;
    private readonly HashSet<string>? _declared;

    public FormParameters(Dictionary<string, string> values, IReadOnlyList<string>? resources = null)
        : this(values, resources ?? [], declared: null)
    {
    }

    private FormParameters(Dictionary<string, string> values, IReadOnlyList<string> resources, HashSet<string>? declared)
    {
        _values = values;
        _resources = resources;
        _declared = declared;
    }

    /// <summary>Every <c>resource</c> value sent (RFC 8707), in order, empty ones included so they can be refused.</summary>
    public IReadOnlyList<string> Resources => Declared(OAuthParameterNames.Resource) ? _resources : throw Undeclared(OAuthParameterNames.Resource);

    /// <summary>The value, or null when the parameter is absent or empty.</summary>
    public string? this[string name] =>
        !Declared(name) ? throw Undeclared(name)
        : _values.TryGetValue(name, out var value) && value.Length > 0 ? value : null;

    public bool Has(string name) => this[name] is not null;

    /// <summary>The value of a parameter the request requires, or an <c>invalid_request</c> that names it.</summary>
    public string Required(string name) =>
        this[name] ?? throw OAuthProtocolException.InvalidRequest($"The '{name}' parameter is missing.");

    /// <summary>The same parameters as seen by a handler that declared <paramref name="names"/>: any other is not there.</summary>
    public FormParameters Only(IEnumerable<string> names) =>
        new(_values, _resources, names.ToHashSet(StringComparer.Ordinal));

    private bool Declared(string name) => _declared is null || _declared.Contains(name);

    private static InvalidOperationException Undeclared(string name) =>
        new($"The parameter '{name}' is read but was not declared by its grant (IGrantHandler.Parameters).");
}
