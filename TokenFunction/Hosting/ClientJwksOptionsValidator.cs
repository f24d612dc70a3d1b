using Microsoft.Extensions.Options;
using TokenFunction.Settings;

namespace TokenFunction.Hosting;

/// <summary>
/// Refuses to start with client JWKS fetch settings that would hang requests or hammer clients' servers, or that would
/// let a client's jwks_uri reach an Azure instance's own loopback services.
/// </summary>
public sealed class ClientJwksOptionsValidator : IValidateOptions<ClientJwksOptions>
{
    public const int MaxFetchTimeoutSeconds = 30;
    public const int MinResponseBytes = 1_024;
    public const int MaxResponseBytesLimit = 1_048_576;
    public const int MaxCacheSeconds = 86_400;
    public const int MaxStaleSeconds = 604_800;

    private readonly Func<string, string?> _environment;

    public ClientJwksOptionsValidator()
        : this(Environment.GetEnvironmentVariable)
    {
    }

    /// <param name="environment">Reads an environment variable (tests pass their own).</param>
    public ClientJwksOptionsValidator(Func<string, string?> environment)
    {
        _environment = environment ?? throw new ArgumentNullException(nameof(environment));
    }

    public ValidateOptionsResult Validate(string? name, ClientJwksOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();

        Range(SettingNames.ClientJwksFetchTimeoutSeconds, options.FetchTimeoutSeconds, 1, MaxFetchTimeoutSeconds,
            "every token request of a client waits for it while its JWKS is fetched");
        Range(SettingNames.ClientJwksMaxResponseBytes, options.MaxResponseBytes, MinResponseBytes, MaxResponseBytesLimit,
            "a JWKS of a few keys is a few kilobytes");
        Range(SettingNames.ClientJwksCacheSeconds, options.CacheSeconds, 1, MaxCacheSeconds,
            "a client's new keys are picked up at the latest after this time");
        Range(SettingNames.ClientJwksMinRefetchSeconds, options.MinRefetchSeconds, 1, MaxCacheSeconds,
            "it keeps unknown key ids and failing servers from causing a fetch per request");
        Range(SettingNames.ClientJwksStaleSeconds, options.StaleSeconds, 0, MaxStaleSeconds,
            "0 stops using a JWKS as soon as a refetch fails after its cache time");

        if (options.MinRefetchSeconds > options.CacheSeconds && options.MinRefetchSeconds >= 1 && options.CacheSeconds >= 1)
        {
            failures.Add($"{SettingNames.ClientJwksMinRefetchSeconds} ({options.MinRefetchSeconds}) must not exceed {SettingNames.ClientJwksCacheSeconds} ({options.CacheSeconds}): "
                + "a refetch for a rotated key would otherwise be rarer than the regular one.");
        }

        if (options.AllowLoopback && !string.IsNullOrEmpty(_environment(AzureEnvironment.InstanceIdVariable)))
        {
            failures.Add($"{SettingNames.ClientJwksAllowLoopback} is for local development: running in Azure ({AzureEnvironment.InstanceIdVariable} is set) it would let a "
                + "client's jwks_uri reach the instance's own loopback services. Remove the setting or set it to false.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);

        void Range(string setting, int value, int minimum, int maximum, string why)
        {
            if (value < minimum || value > maximum)
            {
                failures.Add($"{setting} must be between {minimum} and {maximum} ({why}); it is {value}.");
            }
        }
    }
}
