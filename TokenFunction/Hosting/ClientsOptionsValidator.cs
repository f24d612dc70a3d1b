using Microsoft.Extensions.Options;
using TokenFunction.Settings;

namespace TokenFunction.Hosting;

/// <summary>Keeps the registration cache's staleness within what an operator removing a client can wait for.</summary>
public sealed class ClientsOptionsValidator : IValidateOptions<ClientsOptions>
{
    public const int MaxCacheSeconds = 300;

    public ValidateOptionsResult Validate(string? name, ClientsOptions options) =>
        options.CacheSeconds is < 0 or > MaxCacheSeconds
            ? ValidateOptionsResult.Fail($"{SettingNames.ClientsCacheSeconds} must be between 0 (no cache) and {MaxCacheSeconds}; it is {options.CacheSeconds}.")
            : ValidateOptionsResult.Success;
}
