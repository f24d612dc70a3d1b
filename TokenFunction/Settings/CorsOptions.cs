namespace TokenFunction.Settings;

/// <summary>
/// Which browser origins may call the endpoints cross-origin (single-page apps, public clients): bound from the
/// <c>Cors</c> section (<c>Cors__*</c> settings). On Azure the platform's CORS answers with the same list (the
/// Bicep sets both from one parameter); locally the local Kestrel host (Hosting) applies it.
/// </summary>
public sealed class CorsOptions
{
    public const string SectionName = "Cors";

    /// <summary>Comma-separated origins, e.g. <c>https://app.example.com,http://localhost:3000</c>; empty for none.</summary>
    public string? AllowedOrigins { get; set; }

    /// <summary>The origins listed in <see cref="AllowedOrigins"/>, trimmed, without empty entries.</summary>
    public IReadOnlyList<string> Origins() =>
        (AllowedOrigins ?? string.Empty).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
}
