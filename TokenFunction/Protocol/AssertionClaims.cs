using System.Text.Json;

namespace TokenFunction.Protocol;

/// <summary>The registered claims RFC 7523 section 3 asks of a client assertion, as sent (nothing checked yet).</summary>
public sealed record AssertionClaims
{
    public const int MaxJwtIdLength = 256;

    public string? Issuer { get; init; }

    public string? Subject { get; init; }

    public IReadOnlyList<string> Audiences { get; init; } = [];

    public DateTimeOffset? ExpiresAt { get; init; }

    public DateTimeOffset? NotBefore { get; init; }

    public DateTimeOffset? IssuedAt { get; init; }

    public string? JwtId { get; init; }

    /// <summary>Reads the claims; a claim of the wrong JSON type is an error, an absent one is left null for the validator.</summary>
    public static bool TryRead(JsonElement payload, out AssertionClaims? claims, out string? error)
    {
        claims = null;
        error = null;
        if (!TryString(payload, "iss", out var issuer, ref error)
            || !TryString(payload, "sub", out var subject, ref error)
            || !TryString(payload, "jti", out var jwtId, ref error)
            || !TryDate(payload, "exp", out var expiresAt, ref error)
            || !TryDate(payload, "nbf", out var notBefore, ref error)
            || !TryDate(payload, "iat", out var issuedAt, ref error)
            || !TryAudiences(payload, out var audiences, ref error))
        {
            return false;
        }

        claims = new AssertionClaims
        {
            Issuer = issuer,
            Subject = subject,
            JwtId = jwtId,
            ExpiresAt = expiresAt,
            NotBefore = notBefore,
            IssuedAt = issuedAt,
            Audiences = audiences,
        };
        return true;
    }

    private static bool TryString(JsonElement payload, string name, out string? value, ref string? error)
    {
        value = null;
        if (!payload.TryGetProperty(name, out var element))
        {
            return true;
        }

        if (element.ValueKind != JsonValueKind.String)
        {
            error = $"The client assertion's {name} claim must be a string.";
            return false;
        }

        value = element.GetString();
        return true;
    }

    private static bool TryDate(JsonElement payload, string name, out DateTimeOffset? value, ref string? error)
    {
        value = null;
        if (!payload.TryGetProperty(name, out var element))
        {
            return true;
        }

        // RFC 7519 NumericDate: seconds since the epoch, fractions allowed; bounded so the conversion cannot overflow.
        if (element.ValueKind != JsonValueKind.Number || !element.TryGetDouble(out var seconds) || seconds is < 0 or > 253_402_300_799)
        {
            error = $"The client assertion's {name} claim must be a NumericDate (seconds since 1970).";
            return false;
        }

        value = DateTimeOffset.UnixEpoch.AddSeconds(Math.Floor(seconds));
        return true;
    }

    private static bool TryAudiences(JsonElement payload, out IReadOnlyList<string> audiences, ref string? error)
    {
        audiences = [];
        if (!payload.TryGetProperty("aud", out var element))
        {
            return true;
        }

        if (element.ValueKind == JsonValueKind.String)
        {
            audiences = [element.GetString()!];
            return true;
        }

        if (element.ValueKind == JsonValueKind.Array && element.EnumerateArray().All(a => a.ValueKind == JsonValueKind.String))
        {
            audiences = [.. element.EnumerateArray().Select(a => a.GetString()!)];
            return true;
        }

        error = "The client assertion's aud claim must be a string or an array of strings.";
        return false;
    }
}
