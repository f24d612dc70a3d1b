namespace TokenFunction.Settings;

/// <summary>Where clients and grants are stored: bound from the <c>Tables</c> section (<c>Tables__*</c> settings).</summary>
public sealed class TablesOptions
{
    public const string SectionName = "Tables";
    public const string DevelopmentStorage = "UseDevelopmentStorage=true";

    /// <summary>A storage connection string; used when <see cref="ServiceUri"/> is not set.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>The table endpoint (https://{account}.table.core.windows.net) reached with a managed identity.</summary>
    public Uri? ServiceUri { get; set; }

    /// <summary>Creates the tables on first use; turn off where the deployment creates them and the app may not.</summary>
    public bool CreateTablesIfMissing { get; set; } = true;
}
