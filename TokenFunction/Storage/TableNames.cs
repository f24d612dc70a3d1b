namespace TokenFunction.Storage;

/// <summary>The service's tables (see docs/storage.md for their keys and columns).</summary>
public static class TableNames
{
    public const string Clients = "OAuthClients";
    public const string Grants = "OAuthGrants";

    public static IReadOnlyList<string> All { get; } = [Clients, Grants];
}
