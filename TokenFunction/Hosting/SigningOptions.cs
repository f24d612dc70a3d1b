namespace TokenFunction.Hosting;

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

    /// <summary>The algorithm of a generated local key: RS256 or ES256.</summary>
    public string LocalKeyAlgorithm { get; set; } = "RS256";
}
