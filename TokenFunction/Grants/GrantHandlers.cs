namespace TokenFunction.Grants;

/// <summary>The registered grant handlers by grant type: the one list of what grants the service supports.</summary>
public sealed class GrantHandlers(IEnumerable<IGrantHandler> handlers)
{
    private readonly Dictionary<string, IGrantHandler> _byType = handlers.ToDictionary(h => h.GrantType, StringComparer.Ordinal);

    public IEnumerable<string> SupportedGrantTypes => _byType.Keys;

    public IGrantHandler? Find(string grantType) => _byType.GetValueOrDefault(grantType);
}
