using Microsoft.Extensions.Options;
using TokenFunction.Settings;

namespace TokenFunction.Hosting;

public sealed class DpopOptionsValidator : IValidateOptions<DpopOptions>
{
    public const int MaxProofAgeSeconds = 300;
    public const int MaxClockSkewSeconds = 60;
    public const int MinNonceKeyBytes = 32;

    public ValidateOptionsResult Validate(string? name, DpopOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var algorithms = options.Algorithms();
        if (algorithms.Count == 0)
        {
            failures.Add($"{SettingNames.DpopSigningAlgorithms} must list at least one of {string.Join(", ", DpopOptions.SupportedAlgorithms)}.");
        }

        foreach (var unknown in algorithms.Where(a => !DpopOptions.SupportedAlgorithms.Contains(a, StringComparer.Ordinal)))
        {
            // none and HS* land here too: a proof must be signed with a key only its holder has.
            failures.Add($"{SettingNames.DpopSigningAlgorithms} lists '{unknown}'; the asymmetric algorithms supported are {string.Join(", ", DpopOptions.SupportedAlgorithms)}.");
        }

        if (options.ProofMaxAgeSeconds is < 1 or > MaxProofAgeSeconds)
        {
            failures.Add($"{SettingNames.DpopProofMaxAgeSeconds} must be between 1 and {MaxProofAgeSeconds}; it is {options.ProofMaxAgeSeconds}.");
        }

        if (options.ClockSkewSeconds is < 0 or > MaxClockSkewSeconds)
        {
            failures.Add($"{SettingNames.DpopClockSkewSeconds} must be between 0 and {MaxClockSkewSeconds}; it is {options.ClockSkewSeconds}.");
        }

        if (options.RequireNonce && !HasUsableNonceKey(options.NonceKey))
        {
            failures.Add($"{SettingNames.DpopRequireNonce} needs {SettingNames.DpopNonceKey}: base64 of at least {MinNonceKeyBytes} random bytes " +
                "(e.g. `openssl rand -base64 32`), the same on every instance, so that any instance accepts the nonces of another.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool HasUsableNonceKey(string? key)
    {
        if (string.IsNullOrWhiteSpace(key))
        {
            return false;
        }

        var bytes = new byte[key.Length];
        return Convert.TryFromBase64String(key.Trim(), bytes, out var length) && length >= MinNonceKeyBytes;
    }
}
