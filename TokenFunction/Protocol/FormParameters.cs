namespace TokenFunction.Protocol;

/// <summary>The parameters of a token request body. An empty value counts as absent (RFC 6749 section 3.1).</summary>
public sealed class FormParameters
{
    private readonly Dictionary<string, string> values;

    public FormParameters(Dictionary<string, string> values, IReadOnlyList<string>? resources = null)
    {
        this.values = values;
        Resources = resources ?? [];
    }

    /// <summary>Every <c>resource</c> value sent (RFC 8707), in order, empty ones included so they can be refused.</summary>
    public IReadOnlyList<string> Resources { get; }

    /// <summary>The value, or null when the parameter is absent or empty.</summary>
    public string? this[string name] => values.TryGetValue(name, out var value) && value.Length > 0 ? value : null;

    public bool Has(string name) => this[name] is not null;

    /// <summary>The value of a parameter the grant requires, or an <c>invalid_request</c> that names it.</summary>
    public string Required(string name) =>
        this[name] ?? throw OAuthProtocolException.InvalidRequest($"The '{name}' parameter is missing.");
}
