using Azure;
using Azure.Data.Tables;

namespace TokenFunction.Storage;

/// <summary>
/// A row of <see cref="TableNames.ClientAssertions"/> (a used assertion id) and of <see cref="TableNames.DpopProofs"/>
/// (a used proof id, PartitionKey = the key's thumbprint): see <see cref="SingleUseIdTable"/>. PartitionKey = the client's key (<see cref="ClientIdKeys"/>),
/// RowKey = SHA-256 of the <c>jti</c> (base64url), since a jti may hold characters a key cannot.
/// </summary>
public sealed class ClientAssertionEntity : ITableEntity
{
    public string PartitionKey { get; set; } = string.Empty;
    public string RowKey { get; set; } = string.Empty;
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    /// <summary>When the assertion stops being acceptable; after it the row is only waiting for the purge.</summary>
    public DateTimeOffset ExpiresAt { get; set; }

    /// <summary>
    /// Random per request: when the SDK retries a write whose response was lost, the 409 or 412 it meets carries this
    /// request's own id, which tells "my write landed" from "someone else used the jti".
    /// </summary>
    public string UseId { get; set; } = string.Empty;
}
