using Microsoft.Extensions.Options;
using TokenFunction.Settings;

namespace TokenFunction.Hosting;

/// <summary>Refuses ambiguous or development-only storage settings where they would surprise an operator.</summary>
public sealed class TablesOptionsValidator : IValidateOptions<TablesOptions>
{
    public ValidateOptionsResult Validate(string? name, TablesOptions options)
    {
        var hasConnectionString = !string.IsNullOrWhiteSpace(options.ConnectionString);
        if (options.ServiceUri is not null)
        {
            if (hasConnectionString)
            {
                return ValidateOptionsResult.Fail($"Set either {SettingNames.TablesServiceUri} or {SettingNames.TablesConnectionString}, not both.");
            }

            if (!options.ServiceUri.IsAbsoluteUri || options.ServiceUri.Scheme != Uri.UriSchemeHttps)
            {
                return ValidateOptionsResult.Fail($"{SettingNames.TablesServiceUri} must be the https table endpoint, e.g. https://myaccount.table.core.windows.net; it is '{options.ServiceUri}'.");
            }

            return ValidateOptionsResult.Success;
        }

        if (AzureEnvironment.IsRunningInAzure
            && (!hasConnectionString || options.ConnectionString!.Contains(TablesOptions.DevelopmentStorage, StringComparison.OrdinalIgnoreCase)))
        {
            return ValidateOptionsResult.Fail($"Running in Azure without production storage settings: set {SettingNames.TablesServiceUri} to the storage account's table endpoint (the app's managed identity needs Storage Table Data Contributor).");
        }

        return ValidateOptionsResult.Success;
    }
}
