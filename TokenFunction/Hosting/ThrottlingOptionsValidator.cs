using Microsoft.Extensions.Options;
using TokenFunction.Settings;

namespace TokenFunction.Hosting;

public sealed class ThrottlingOptionsValidator : IValidateOptions<ThrottlingOptions>
{
    public const int MaxWindowSeconds = 3600;

    public ValidateOptionsResult Validate(string? name, ThrottlingOptions options)
    {
        var failures = new List<string>();
        if (options.MaxFailedAuthentications < 0)
        {
            failures.Add($"{SettingNames.ThrottlingMaxFailedAuthentications} must be 0 (off) or more; it is {options.MaxFailedAuthentications}.");
        }

        if (options.WindowSeconds is < 1 or > MaxWindowSeconds)
        {
            failures.Add($"{SettingNames.ThrottlingWindowSeconds} must be between 1 and {MaxWindowSeconds}; it is {options.WindowSeconds}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
