using Microsoft.Extensions.Options;
using TokenFunction.Signing.KeyVault;
using TokenFunction.Settings;

namespace TokenFunction.Hosting;

/// <summary>
/// Start-up checks of <see cref="SigningOptions"/>. Locally, the local key's algorithm and path must be usable. In Azure (<c>WEBSITE_INSTANCE_ID</c> set) the app must sign in Key
/// Vault: without <c>Signing__KeyVaultKeyId</c> it refuses to start unless <c>Signing__AllowLocalSignerInAzure=true</c>.
/// With a key id, the id and the Key Vault settings must be valid.
/// </summary>
public sealed class SigningOptionsValidator : IValidateOptions<SigningOptions>
{
    public const string AzureInstanceVariable = AzureEnvironment.InstanceIdVariable;

    public static IReadOnlyList<string> LocalKeyAlgorithms { get; } = ["RS256", "ES256"];

    private static readonly string[] s_rsaAlgorithms = ["RS256", "PS256"];
    private readonly Func<string, string?> _environment;

    public SigningOptionsValidator()
        : this(Environment.GetEnvironmentVariable)
    {
    }

    /// <param name="environment">Reads an environment variable (tests pass their own).</param>
    public SigningOptionsValidator(Func<string, string?> environment)
    {
        _environment = environment ?? throw new ArgumentNullException(nameof(environment));
    }

    public ValidateOptionsResult Validate(string? name, SigningOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        string section = SigningOptions.SectionName + SettingNames.Separator;

        if (options.KeyVaultKeyId is null)
        {
            if (!LocalKeyAlgorithms.Contains(options.LocalKeyAlgorithm, StringComparer.Ordinal))
            {
                failures.Add($"{section}{nameof(SigningOptions.LocalKeyAlgorithm)} must be one of {string.Join(", ", LocalKeyAlgorithms)}; it is '{options.LocalKeyAlgorithm}'.");
            }

            if (string.IsNullOrWhiteSpace(options.LocalKeyPath))
            {
                failures.Add($"Set {SettingNames.SigningLocalKeyPath} to the local signing key's PEM file, or {SettingNames.SigningKeyVaultKeyId} to a Key Vault key.");
            }

            if (!string.IsNullOrEmpty(_environment(AzureInstanceVariable)) && !options.AllowLocalSignerInAzure)
            {
                failures.Add(
                    $"Running in Azure ({AzureInstanceVariable} is set) without {SettingNames.SigningKeyVaultKeyId}: access tokens must be signed in Key Vault. " +
                    $"Set {SettingNames.SigningKeyVaultKeyId} to https://{{vault}}.vault.azure.net/keys/{{name}} and give the app's managed identity the 'Key Vault Crypto User' role on the vault, " +
                    $"or set {section}{nameof(SigningOptions.AllowLocalSignerInAzure)}=true to sign with the local key (not for production).");
            }

            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
        }

        if (!KeyVaultKeyIdentifier.TryParse(options.KeyVaultKeyId, out _, out string? error))
        {
            failures.Add($"{SettingNames.SigningKeyVaultKeyId}: {error}");
        }

        if (!s_rsaAlgorithms.Contains(options.RsaAlgorithm, StringComparer.Ordinal))
        {
            failures.Add($"{section}{nameof(SigningOptions.RsaAlgorithm)} must be RS256 or PS256, not '{options.RsaAlgorithm}'.");
        }

        Positive(nameof(SigningOptions.KeyRefreshSeconds), options.KeyRefreshSeconds, minimum: 1);
        Positive(nameof(SigningOptions.PrePublicationSeconds), options.PrePublicationSeconds, minimum: 0);
        Positive(nameof(SigningOptions.RetiredKeyGraceSeconds), options.RetiredKeyGraceSeconds, minimum: 0);
        Positive(nameof(SigningOptions.KeyVaultNetworkTimeoutSeconds), options.KeyVaultNetworkTimeoutSeconds, minimum: 1);
        Positive(nameof(SigningOptions.KeyVaultMaxRetries), options.KeyVaultMaxRetries, minimum: 0);
        Positive(nameof(SigningOptions.KeyVaultMaxRetryAfterSeconds), options.KeyVaultMaxRetryAfterSeconds, minimum: 0);

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);

        void Positive(string property, int value, int minimum)
        {
            if (value < minimum)
            {
                failures.Add($"{section}{property} must be at least {minimum}, not {value}.");
            }
        }
    }
}
