using Microsoft.Extensions.Options;

namespace TokenFunction.Hosting;

/// <summary>Refuses signing settings the service cannot honour.</summary>
public sealed class SigningOptionsValidator : IValidateOptions<SigningOptions>
{
    public static IReadOnlyList<string> LocalKeyAlgorithms { get; } = ["RS256", "ES256"];

    public ValidateOptionsResult Validate(string? name, SigningOptions options)
    {
        if (options.KeyVaultKeyId is null && !LocalKeyAlgorithms.Contains(options.LocalKeyAlgorithm, StringComparer.Ordinal))
        {
            return ValidateOptionsResult.Fail(
                $"{SettingNames.Of(SigningOptions.SectionName, nameof(SigningOptions.LocalKeyAlgorithm))} must be one of {string.Join(", ", LocalKeyAlgorithms)}; it is '{options.LocalKeyAlgorithm}'.");
        }

        if (options.KeyVaultKeyId is null && string.IsNullOrWhiteSpace(options.LocalKeyPath))
        {
            return ValidateOptionsResult.Fail($"Set {SettingNames.SigningLocalKeyPath} to the local signing key's PEM file, or {SettingNames.SigningKeyVaultKeyId} to a Key Vault key.");
        }

        return ValidateOptionsResult.Success;
    }
}
