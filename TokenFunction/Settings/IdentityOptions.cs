namespace TokenFunction.Settings;

/// <summary>
/// The Azure identity used for Table Storage (with <c>Tables__ServiceUri</c>) and Key Vault:
/// bound from the <c>Identity</c> section (<c>Identity__*</c> settings).
/// </summary>
public sealed class IdentityOptions
{
    public const string SectionName = "Identity";

    /// <summary>Client id of a user-assigned managed identity; unset for the system-assigned one.</summary>
    public string? ManagedIdentityClientId { get; set; }
}
