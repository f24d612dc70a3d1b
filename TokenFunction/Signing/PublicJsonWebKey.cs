using System.Text.Json.Serialization;

namespace TokenFunction.Signing;

/// <summary>The public part of a signing key as RFC 7517 publishes it. Never carries private members.</summary>
public sealed record PublicJsonWebKey
{
    [JsonPropertyName("kty")] public required string KeyType { get; init; }
    [JsonPropertyName("use")] public string Use { get; init; } = "sig";
    [JsonPropertyName("alg")] public required string Algorithm { get; init; }
    [JsonPropertyName("kid")] public required string KeyId { get; init; }
    [JsonPropertyName("n")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Modulus { get; init; }
    [JsonPropertyName("e")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Exponent { get; init; }
    [JsonPropertyName("crv")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Curve { get; init; }
    [JsonPropertyName("x")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? X { get; init; }
    [JsonPropertyName("y")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Y { get; init; }
}
