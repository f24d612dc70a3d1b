namespace TokenFunction.Settings;

/// <summary>
/// How a client's JWKS is fetched from its registered <c>jwks_uri</c> (private_key_jwt): bound from the
/// <c>ClientJwks</c> section (<c>ClientJwks__*</c> settings).
/// </summary>
public sealed class ClientJwksOptions
{
    public const string SectionName = "ClientJwks";

    /// <summary>The longest one fetch may take, connection, headers and body together.</summary>
    public int FetchTimeoutSeconds { get; set; } = 5;

    /// <summary>The largest JWKS document read; a larger one is refused.</summary>
    public int MaxResponseBytes { get; set; } = 65_536;

    /// <summary>How long a fetched JWKS is used before it is fetched again.</summary>
    public int CacheSeconds { get; set; } = 300;

    /// <summary>
    /// The shortest time between two fetches of one URL when an assertion names a key id the cached set lacks
    /// (key rotation), and how long a failed fetch is remembered before it is tried again.
    /// </summary>
    public int MinRefetchSeconds { get; set; } = 30;

    /// <summary>How long after its expiry the last good JWKS is still used while fetching it again fails.</summary>
    public int StaleSeconds { get; set; } = 3600;

    /// <summary>
    /// Local development and tests only: lets a jwks_uri reach the host's own loopback addresses (and use http for a
    /// loopback host). Off, only https URLs whose host resolves to public addresses are fetched.
    /// </summary>
    public bool AllowLoopback { get; set; }
}
