namespace TokenFunction.Settings;

/// <summary>
/// Throttling of failed client authentication per source address: bound from the <c>Throttling</c> section
/// (<c>Throttling__*</c> settings). In memory, per instance.
/// </summary>
public sealed class ThrottlingOptions
{
    public const string SectionName = "Throttling";

    /// <summary>Failed client authentications one address may make in a window before it gets 429; 0 turns throttling off.</summary>
    public int MaxFailedAuthentications { get; set; } = 20;

    /// <summary>The window the failures are counted in; the address is answered 429 until it ends.</summary>
    public int WindowSeconds { get; set; } = 60;
}
