using Azure.Core;

namespace TokenFunction.Signing.KeyVault;

/// <summary>Options of <see cref="KeyVaultKeysClient"/>: retry, logging, transport, and the service version.</summary>
public class KeyVaultKeysClientOptions : ClientOptions
{
    /// <summary>The REST API version this client speaks: the latest stable Key Vault data-plane version.</summary>
    public const string LatestApiVersion = "2025-07-01";

    /// <summary>Key Vault service versions this client supports.</summary>
    public enum ServiceVersion
    {
        /// <summary>2025-07-01.</summary>
#pragma warning disable CA1707 // The Azure SDK names service versions after their dates.
        V2025_07_01 = 1,
#pragma warning restore CA1707
    }

    public KeyVaultKeysClientOptions(ServiceVersion version = ServiceVersion.V2025_07_01)
    {
        Version = version switch
        {
            ServiceVersion.V2025_07_01 => LatestApiVersion,
            _ => throw new ArgumentOutOfRangeException(nameof(version), version, "Unsupported Key Vault service version."),
        };
        Diagnostics.LoggedHeaderNames.Add("WWW-Authenticate");
        Diagnostics.LoggedHeaderNames.Add("x-ms-keyvault-service-version");
        Diagnostics.LoggedHeaderNames.Add("x-ms-keyvault-region");
    }

    /// <summary>The api-version query value sent with every request.</summary>
    public string Version { get; }

    /// <summary>
    /// The longest server <c>Retry-After</c> that is waited for; a throttled response asking for longer is not
    /// retried, so one call never waits longer than this per retry.
    /// </summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Skips the check that the challenge's resource is the vault's own domain. Leave off: the check keeps tokens
    /// from being sent to a resource the vault does not belong to.
    /// </summary>
    public bool DisableChallengeResourceVerification { get; set; }
}
