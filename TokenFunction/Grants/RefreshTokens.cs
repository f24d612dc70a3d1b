using System.Buffers.Text;
using System.Security.Cryptography;
using TokenFunction.Protocol;

namespace TokenFunction.Grants;

/// <summary>
/// Refresh token format: <c>{grantId}.{32 random bytes, base64url}</c>. The grant id names the partition, so a token
/// is found by one point read; only base64url(SHA-256(token)) is stored. A retired row keeps its successor sealed
/// with AES-GCM under HKDF-SHA256(old token, info "successor"), so nothing usable is stored in clear.
/// </summary>
public static class RefreshTokens
{
    public const string RowKeyPrefix = "rt:";
    private const int SecretBytes = 32;
    private const int EncodedLength = 43;
    private const string SuccessorPurpose = "successor";

    public static string NewToken(string grantId) =>
        $"{grantId}.{Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(SecretBytes))}";

    public static string RowKeyOf(string token) =>
        RowKeyPrefix + Base64UrlSha256.Of(token);

    /// <summary>Splits a presented token into its grant id and row key; false for anything not in the format.</summary>
    public static bool TryParse(string token, out string grantId, out string rowKey)
    {
        grantId = rowKey = string.Empty;
        var dot = token.IndexOf('.', StringComparison.Ordinal);
        if (dot != EncodedLength || token.Length != 2 * EncodedLength + 1)
        {
            return false;
        }

        var grant = token[..dot];
        var secret = token[(dot + 1)..];
        if (!IsBase64Url(grant) || !IsBase64Url(secret))
        {
            return false;
        }

        grantId = grant;
        rowKey = RowKeyOf(token);
        return true;
    }

    /// <summary>Seals the successor under the old token: only a holder of the old token can recover it.</summary>
    public static string Seal(string oldToken, string successor, string associatedData) =>
        SecretSealing.Seal(oldToken, SuccessorPurpose, successor, associatedData);

    /// <summary>The successor, or null when the value was not sealed under this token (or was tampered with).</summary>
    public static string? Open(string oldToken, string sealedValue, string associatedData) =>
        SecretSealing.Open(oldToken, SuccessorPurpose, sealedValue, associatedData);

    private static bool IsBase64Url(string value) =>
        value.Length == EncodedLength && value.All(c => c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_');
}
