namespace TokenFunction.Settings;

/// <summary>Which key signs access tokens: bound from the <c>Signing</c> section (<c>Signing__*</c> settings).</summary>
public sealed class SigningOptions
{
    public const string SectionName = "Signing";

    /// <summary>
    /// <c>https://{vault}.vault.azure.net/keys/{name}[/{version}]</c>. When set, tokens are signed in Key Vault;
    /// when not, by the local key (development only).
    /// </summary>
    public Uri? KeyVaultKeyId { get; set; }

    /// <summary>PEM file of the local signing key (RSA or EC P-256), for development.</summary>
    public string LocalKeyPath { get; set; } = ".local/signing-key.pem";

    /// <summary>Creates <see cref="LocalKeyPath"/> when it does not exist.</summary>
    public bool GenerateLocalKeyIfMissing { get; set; } = true;

    /// <summary>
    /// The algorithm of a generated local key: ES256 (default: an ECDSA P-256 signature costs a fraction of the CPU of an
    /// RSA-2048 one, docs/performance.md) or RS256. An existing key file keeps its own algorithm.
    /// </summary>
    public string LocalKeyAlgorithm { get; set; } = "ES256";

    /// <summary>
    /// Seconds between re-reads of the Key Vault key's versions and attributes (rotation, disable, expiry).
    /// Never read per request: the hot path makes one Key Vault call per token, the sign.
    /// </summary>
    public int KeyRefreshSeconds { get; set; } = 300;

    /// <summary>
    /// Seconds a new Key Vault key version is published in the JWKS document before it signs, so that
    /// relying parties holding a cached JWKS have picked it up; until then the previous version keeps signing.
    /// </summary>
    public int PrePublicationSeconds { get; set; } = 3600;

    /// <summary>
    /// Seconds, on top of the longest access-token lifetime, that a retired key version stays published
    /// (clock skew allowance of the relying parties).
    /// </summary>
    public int RetiredKeyGraceSeconds { get; set; } = 300;

    /// <summary>The JWS algorithm of an RSA Key Vault key: RS256 (default) or PS256. EC keys follow their curve (ES256, ES384).</summary>
    public string RsaAlgorithm { get; set; } = "RS256";

    /// <summary>Seconds one Key Vault request (one try) may take before it is abandoned and retried.</summary>
    public int KeyVaultNetworkTimeoutSeconds { get; set; } = 5;

    /// <summary>Retries of a failed Key Vault request (429, 5xx, network faults, timeouts) before the call fails.</summary>
    public int KeyVaultMaxRetries { get; set; } = 2;

    /// <summary>
    /// The longest <c>Retry-After</c> of a throttled (429/503) Key Vault response that is waited for;
    /// a longer one fails the call at once (the endpoint answers temporarily_unavailable).
    /// </summary>
    public int KeyVaultMaxRetryAfterSeconds { get; set; } = 5;

    /// <summary>
    /// Allows the local PEM signer when running in Azure (<c>WEBSITE_INSTANCE_ID</c> set) without
    /// <see cref="KeyVaultKeyId"/>. Off by default: production must sign in Key Vault.
    /// </summary>
    public bool AllowLocalSignerInAzure { get; set; }
}
