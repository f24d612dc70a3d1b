using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace TokenFunction.Signing.KeyVault;

/// <summary>
/// A parsed Key Vault key identifier: <c>https://{vault}.vault.azure.net/keys/{name}[/{version}]</c>
/// (any cloud's vault or Managed HSM domain). Without a version the key follows its current version.
/// </summary>
public sealed partial record KeyVaultKeyIdentifier
{
    private KeyVaultKeyIdentifier(Uri vaultUri, string name, string? version)
    {
        VaultUri = vaultUri;
        Name = name;
        Version = version;
    }

    /// <summary><c>https://{vault}.vault.azure.net/</c>: scheme and authority only.</summary>
    public Uri VaultUri { get; }

    /// <summary>The key name.</summary>
    public string Name { get; }

    /// <summary>The pinned version, or null to follow the key's current version.</summary>
    public string? Version { get; }

    /// <summary>Parses <paramref name="id"/>, or throws <see cref="ArgumentException"/> saying what is wrong.</summary>
    public static KeyVaultKeyIdentifier Parse(Uri id)
    {
        ArgumentNullException.ThrowIfNull(id);
        return TryParse(id, out var parsed, out var error) ? parsed : throw new ArgumentException(error, nameof(id));
    }

    /// <summary>Parses <paramref name="id"/>; on failure <paramref name="error"/> says what is wrong.</summary>
    public static bool TryParse(Uri? id, [NotNullWhen(true)] out KeyVaultKeyIdentifier? parsed, [NotNullWhen(false)] out string? error)
    {
        parsed = null;
        const string Shape = "https://{vault}.vault.azure.net/keys/{name}[/{version}]";
        if (id is null || !id.IsAbsoluteUri)
        {
            error = $"The Key Vault key id must be an absolute URI: {Shape}.";
            return false;
        }

        if (id.Scheme != Uri.UriSchemeHttps)
        {
            error = $"The Key Vault key id '{id}' must use https: {Shape}.";
            return false;
        }

        if (!string.IsNullOrEmpty(id.Query) || !string.IsNullOrEmpty(id.Fragment) || !string.IsNullOrEmpty(id.UserInfo))
        {
            error = $"The Key Vault key id '{id}' must not have a query, fragment or user info: {Shape}.";
            return false;
        }

        string[] segments = id.AbsolutePath.Trim('/').Split('/');
        if (segments.Length is < 2 or > 3 || !string.Equals(segments[0], "keys", StringComparison.OrdinalIgnoreCase))
        {
            error = $"The Key Vault key id '{id}' is not a key identifier: {Shape}.";
            return false;
        }

        if (!NamePattern().IsMatch(segments[1]))
        {
            error = $"The Key Vault key name '{segments[1]}' is not valid (1-127 letters, digits and dashes).";
            return false;
        }

        string? version = segments.Length == 3 ? segments[2] : null;
        if (version is not null && !VersionPattern().IsMatch(version))
        {
            error = $"The Key Vault key version '{version}' is not valid (letters and digits).";
            return false;
        }

        parsed = new KeyVaultKeyIdentifier(new Uri(id.GetLeftPart(UriPartial.Authority) + "/"), segments[1], version);
        error = null;
        return true;
    }

    public override string ToString() => new Uri(VaultUri, Version is null ? $"keys/{Name}" : $"keys/{Name}/{Version}").ToString();

    [GeneratedRegex("^[0-9A-Za-z-]{1,127}$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("^[0-9A-Za-z]{1,64}$")]
    private static partial Regex VersionPattern();
}
