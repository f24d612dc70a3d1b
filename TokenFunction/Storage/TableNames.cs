namespace TokenFunction.Storage;

/// <summary>The service's tables (see docs/storage.md for their keys and columns).</summary>
public static class TableNames
{
    public const string Clients = "OAuthClients";
    public const string Grants = "OAuthGrants";

    /// <summary>Expiry index: which grants become purgeable in which UTC hour (Table Storage has no TTL).</summary>
    public const string Expiry = "OAuthExpiry";

    /// <summary>Grants by subject and by client, for revoking all of a user's or a client's grants.</summary>
    public const string GrantIndex = "OAuthGrantIndex";

    /// <summary>Client assertion ids (<c>jti</c>) already used, kept until the assertion expires (RFC 7523 replay check).</summary>
    public const string ClientAssertions = "OAuthClientAssertions";

    /// <summary>DPoP proof ids (<c>jti</c>, per key) already used, kept until the proof expires (RFC 9449 replay check).</summary>
    public const string DpopProofs = "OAuthDpopProofs";

    public static IReadOnlyList<string> All { get; } = [Clients, Grants, Expiry, GrantIndex, ClientAssertions, DpopProofs];
}
