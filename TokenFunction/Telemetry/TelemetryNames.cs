namespace TokenFunction.Telemetry;

/// <summary>
/// The names operators query by (docs/operations.md, "Metrics", "Audit events", "Traces"): a contract with the alert
/// rules and the audit workspace's filter, so they are written once, here.
/// </summary>
public static class TelemetryNames
{
    /// <summary>The service's <see cref="System.Diagnostics.Metrics.Meter"/> and <see cref="System.Diagnostics.ActivitySource"/>.</summary>
    public const string Source = "TokenFunction";

    /// <summary>The log category of the audit events; the audit workspace keeps exactly this category.</summary>
    public const string AuditCategory = "TokenFunction.Audit";

    /// <summary>The service name when <c>OTEL_SERVICE_NAME</c> is not set.</summary>
    public const string DefaultServiceName = "token-service";

    public const string TokensIssued = "oauth.tokens.issued";
    public const string RequestsRejected = "oauth.requests.rejected";
    public const string GrantsRevoked = "oauth.grants.revoked";
    public const string RequestDuration = "oauth.request.duration";
    public const string StorageDuration = "oauth.storage.duration";
    public const string SigningDuration = "oauth.signing.duration";
    public const string PurgeRowsDeleted = "oauth.purge.rows.deleted";
    public const string PurgeRowsSkipped = "oauth.purge.rows.skipped";
    public const string PurgeRuns = "oauth.purge.runs";

    /// <summary>Span attributes set on the request's server span.</summary>
    public static class Span
    {
        public const string GrantType = "oauth.grant_type";
        public const string ClientId = "oauth.client_id";
        public const string Error = "oauth.error";
    }

    /// <summary>Metric attributes; every value is from a bounded set.</summary>
    public static class Tag
    {
        public const string GrantType = "grant_type";
        public const string ClientId = "client_id";
        public const string Error = "error";
        public const string Reason = "reason";
        public const string Endpoint = "endpoint";
        public const string Status = "status";
        public const string Operation = "operation";
        public const string Outcome = "outcome";
        public const string Signer = "signer";
    }

    /// <summary>Attribute values.</summary>
    public static class Value
    {
        /// <summary>No <c>grant_type</c> in the request (the revocation endpoint, or a request refused before it was read).</summary>
        public const string None = "none";

        /// <summary>A <c>grant_type</c> the service does not serve: its value is the client's and would be unbounded.</summary>
        public const string Other = "other";

        public const string Ok = "ok";
        public const string Failed = "failed";

        public const string TokenEndpoint = "token";
        public const string RevocationEndpoint = "revoke";

        public const string Read = "read";
        public const string Write = "write";
        public const string Transaction = "transaction";
        public const string Query = "query";

        public const string LocalSigner = "local";
        public const string KeyVaultSigner = "keyvault";

        /// <summary>The <c>By</c> of what an operator did with tokenctl.</summary>
        public const string Operator = "operator";

        public const string TokenCtl = "tokenctl";
    }
}
