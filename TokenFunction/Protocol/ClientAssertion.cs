using System.Buffers.Text;
using System.Text;
using System.Text.Json;

namespace TokenFunction.Protocol;

/// <summary>
/// A client assertion (RFC 7523 section 2.2) read from its JWS compact form, not yet trusted: the claims say who
/// the client claims to be, and client authentication (Clients/Assertions) decides whether to believe it.
/// </summary>
public sealed class ClientAssertion
{
    /// <summary>An assertion is a few hundred bytes; anything near the form body limit is not one.</summary>
    public const int MaxLength = 8192;

    private ClientAssertion(string algorithm, string? keyId, AssertionClaims claims, byte[] signingInput, byte[] signature)
    {
        Algorithm = algorithm;
        KeyId = keyId;
        Claims = claims;
        SigningInput = signingInput;
        Signature = signature;
    }

    public string Algorithm { get; }

    public string? KeyId { get; }

    public AssertionClaims Claims { get; }

    /// <summary>The ASCII bytes of <c>header.payload</c>, which the signature covers.</summary>
    public byte[] SigningInput { get; }

    public byte[] Signature { get; }

    /// <summary>Reads the assertion; the error is an error_description for the client.</summary>
    public static bool TryParse(string compact, out ClientAssertion? assertion, out string? error)
    {
        assertion = null;
        if (compact.Length > MaxLength)
        {
            error = $"The client assertion is longer than {MaxLength} characters.";
            return false;
        }

        var parts = compact.Split('.');
        if (parts.Length != 3 || parts.Any(p => p.Length == 0 || !Base64Url.IsValid(p)))
        {
            // Five parts would be an encrypted JWT (JWE), which this service does not accept.
            error = "The client assertion is not a signed JWT in compact form (three base64url parts).";
            return false;
        }

        try
        {
            using var header = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[0]));
            using var payload = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
            if (header.RootElement.ValueKind != JsonValueKind.Object || payload.RootElement.ValueKind != JsonValueKind.Object)
            {
                error = "The client assertion's header and claims must be JSON objects.";
                return false;
            }

            var algorithm = header.RootElement.TryGetProperty("alg", out var alg) && alg.ValueKind == JsonValueKind.String ? alg.GetString()! : null;
            if (!JwsAlgorithms.IsSupported(algorithm))
            {
                error = $"The client assertion must be signed with {string.Join(", ", JwsAlgorithms.Supported)}.";
                return false;
            }

            // RFC 7515 section 4.1.11: an extension the recipient does not understand makes the JWS invalid.
            if (header.RootElement.TryGetProperty("crit", out _))
            {
                error = "The client assertion's header lists critical extensions this service does not support.";
                return false;
            }

            var keyId = header.RootElement.TryGetProperty("kid", out var kid) && kid.ValueKind == JsonValueKind.String ? kid.GetString() : null;
            if (!AssertionClaims.TryRead(payload.RootElement, out var claims, out error))
            {
                return false;
            }

            assertion = new ClientAssertion(algorithm!, keyId, claims!, Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), Base64Url.DecodeFromChars(parts[2]));
            return true;
        }
        catch (JsonException)
        {
            error = "The client assertion's header or claims are not valid JSON.";
            return false;
        }
    }

    public override string ToString() => $"ClientAssertion {{ Algorithm = {Algorithm}, KeyId = {KeyId}, Subject = {Claims.Subject} }}";
}
