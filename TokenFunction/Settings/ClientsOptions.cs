namespace TokenFunction.Settings;

/// <summary>How client registrations are read by the token service: bound from the <c>Clients</c> section (<c>Clients__*</c> settings).</summary>
public sealed class ClientsOptions
{
    public const string SectionName = "Clients";

    /// <summary>
    /// How long a registration read from storage is used before it is read again, per instance; 0 turns the cache off.
    /// The staleness bound: a removed client, a replaced secret or a narrowed registration takes effect within it.
    /// </summary>
    public int CacheSeconds { get; set; } = 30;
}
