using System.Text.Json.Serialization;

namespace TokenFunction.Signing.KeyVault;

// The Key Vault keys data-plane JSON shapes this client reads and writes (REST API 2025-07-01:
// KeyBundle, KeyItem, KeyListResult, JsonWebKey, KeyAttributes, KeySignParameters, KeyOperationResult).
// Members this service does not use are not modelled; unknown members are ignored.

/// <summary>A key version with its public material and attributes (<c>KeyBundle</c>).</summary>
public sealed class KeyVaultKey
{
    [JsonPropertyName("key")] public KeyVaultJsonWebKey? Key { get; init; }
    [JsonPropertyName("attributes")] public KeyVaultKeyAttributes Attributes { get; init; } = new();
    [JsonPropertyName("managed")] public bool? Managed { get; init; }
}

/// <summary>The public part of a key as Key Vault returns it; <c>kid</c> is the full version identifier.</summary>
public sealed class KeyVaultJsonWebKey
{
    [JsonPropertyName("kid")] public string? KeyId { get; init; }
    [JsonPropertyName("kty")] public string? KeyType { get; init; }
    [JsonPropertyName("key_ops")] public IReadOnlyList<string>? KeyOperations { get; init; }
    [JsonPropertyName("n")] public string? N { get; init; }
    [JsonPropertyName("e")] public string? E { get; init; }
    [JsonPropertyName("crv")] public string? Curve { get; init; }
    [JsonPropertyName("x")] public string? X { get; init; }
    [JsonPropertyName("y")] public string? Y { get; init; }
}

/// <summary>Key attributes; the times are Unix seconds on the wire.</summary>
public sealed class KeyVaultKeyAttributes
{
    [JsonPropertyName("enabled")] public bool? Enabled { get; init; }
    [JsonPropertyName("nbf")] public long? NotBefore { get; init; }
    [JsonPropertyName("exp")] public long? Expires { get; init; }
    [JsonPropertyName("created")] public long? Created { get; init; }
    [JsonPropertyName("updated")] public long? Updated { get; init; }
    [JsonPropertyName("recoveryLevel")] public string? RecoveryLevel { get; init; }

    [JsonIgnore] public DateTimeOffset? NotBeforeTime => NotBefore is { } s ? DateTimeOffset.FromUnixTimeSeconds(s) : null;
    [JsonIgnore] public DateTimeOffset? ExpiresTime => Expires is { } s ? DateTimeOffset.FromUnixTimeSeconds(s) : null;
    [JsonIgnore] public DateTimeOffset? CreatedTime => Created is { } s ? DateTimeOffset.FromUnixTimeSeconds(s) : null;
}

/// <summary>One entry of a key's version list (<c>KeyItem</c>): identifier and attributes, no key material.</summary>
public sealed class KeyVaultKeyItem
{
    [JsonPropertyName("kid")] public string? KeyId { get; init; }
    [JsonPropertyName("attributes")] public KeyVaultKeyAttributes Attributes { get; init; } = new();
    [JsonPropertyName("managed")] public bool? Managed { get; init; }

    /// <summary>The last path segment of <see cref="KeyId"/>: the version.</summary>
    [JsonIgnore] public string? Version => KeyId is null ? null : KeyId.TrimEnd('/')[(KeyId.TrimEnd('/').LastIndexOf('/') + 1)..];
}

internal sealed class KeyVaultKeyListResult
{
    [JsonPropertyName("value")] public List<KeyVaultKeyItem>? Value { get; init; }
    [JsonPropertyName("nextLink")] public string? NextLink { get; init; }
}

internal sealed class KeyVaultSignParameters
{
    [JsonPropertyName("alg")] public required string Algorithm { get; init; }
    [JsonPropertyName("value")] public required string Value { get; init; }
}

/// <summary>The result of a sign operation (<c>KeyOperationResult</c>).</summary>
public sealed class KeyVaultSignResult
{
    /// <summary>The key version identifier that signed.</summary>
    [JsonPropertyName("kid")] public string? KeyId { get; init; }

    /// <summary>The base64url signature.</summary>
    [JsonPropertyName("value")] public string? Value { get; init; }
}
