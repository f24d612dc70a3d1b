namespace TokenFunction.Settings;

/// <summary>Whether the process runs in Azure App Service or Functions, where development defaults are refused.</summary>
public static class AzureEnvironment
{
    /// <summary>Set by App Service and Azure Functions on every instance.</summary>
    public const string InstanceIdVariable = "WEBSITE_INSTANCE_ID";

    public static bool IsRunningInAzure => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(InstanceIdVariable));
}
