using Azure;
using Azure.Data.Tables;

namespace TokenFunction.Storage;

/// <summary>
/// A row of <see cref="TableNames.Clients"/>: PartitionKey = the client's key (<see cref="ClientIdKeys"/>), RowKey =
/// <see cref="Row"/>, the id itself in <see cref="ClientId"/>.
/// </summary>
public sealed class ClientEntity : ITableEntity
{
    public const string Row = "client";

    public string PartitionKey { get; set; } = string.Empty;
    public string RowKey { get; set; } = Row;
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    /// <summary>The client id; absent on rows written before keys were derived, whose key is the id.</summary>
    public string? ClientId { get; set; }

    /// <summary>See <see cref="Clients.ClientSecretHasher"/>; null for a public client.</summary>
    public string? SecretHash { get; set; }

    /// <summary>The client's JWKS document for private_key_jwt, when registered inline.</summary>
    public string? Jwks { get; set; }

    /// <summary>The URL of the client's JWKS for private_key_jwt, when registered by URL.</summary>
    public string? JwksUri { get; set; }

    /// <summary>Registered redirect URIs, one per line (a URI cannot hold a line break).</summary>
    public string RedirectUris { get; set; } = string.Empty;

    /// <summary>Space-separated scopes the client may be granted.</summary>
    public string Scopes { get; set; } = string.Empty;

    /// <summary>Space-separated grant types the client may use.</summary>
    public string GrantTypes { get; set; } = string.Empty;

    /// <summary>RFC 8707 resources the client may ask tokens for, one per line.</summary>
    public string? Resources { get; set; }

    public bool AllowPlainPkce { get; set; }

    /// <summary>Overrides the refresh token idle lifetime setting for this client; absent: the setting applies.</summary>
    public int? RefreshIdleLifetimeSeconds { get; set; }

    /// <summary>Overrides the refresh token absolute lifetime setting for this client; absent: the setting applies.</summary>
    public int? RefreshAbsoluteLifetimeSeconds { get; set; }

    /// <summary>RFC 9449 <c>dpop_bound_access_tokens</c>: token requests without a DPoP proof are refused. Absent: false.</summary>
    public bool? DpopBoundAccessTokens { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
