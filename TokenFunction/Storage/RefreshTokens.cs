using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace TokenFunction.Storage;

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
    private const int NonceBytes = 12;
    private const int TagBytes = 16;
    private static readonly byte[] SuccessorInfo = Encoding.ASCII.GetBytes("successor");

    public static string NewToken(string grantId) =>
        $"{grantId}.{Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(SecretBytes))}";

    public static string RowKeyOf(string token) =>
        RowKeyPrefix + Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

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

    public static string Seal(string oldToken, string successor, string associatedData)
    {
        var key = KeyOf(oldToken);
        var plaintext = Encoding.UTF8.GetBytes(successor);
        var sealedBytes = new byte[NonceBytes + plaintext.Length + TagBytes];
        var nonce = sealedBytes.AsSpan(0, NonceBytes);
        RandomNumberGenerator.Fill(nonce);
        using (var aes = new AesGcm(key, TagBytes))
        {
            aes.Encrypt(nonce, plaintext, sealedBytes.AsSpan(NonceBytes, plaintext.Length), sealedBytes.AsSpan(NonceBytes + plaintext.Length), Encoding.UTF8.GetBytes(associatedData));
        }

        CryptographicOperations.ZeroMemory(key);
        return Base64Url.EncodeToString(sealedBytes);
    }

    /// <summary>The successor, or null when the value was not sealed under this token (or was tampered with).</summary>
    public static string? Open(string oldToken, string sealedValue, string associatedData)
    {
        if (!Base64Url.IsValid(sealedValue))
        {
            return null;
        }

        var sealedBytes = Base64Url.DecodeFromChars(sealedValue);
        if (sealedBytes.Length <= NonceBytes + TagBytes)
        {
            return null;
        }

        var key = KeyOf(oldToken);
        var plaintext = new byte[sealedBytes.Length - NonceBytes - TagBytes];
        try
        {
            using var aes = new AesGcm(key, TagBytes);
            aes.Decrypt(sealedBytes.AsSpan(0, NonceBytes), sealedBytes.AsSpan(NonceBytes, plaintext.Length), sealedBytes.AsSpan(NonceBytes + plaintext.Length), plaintext, Encoding.UTF8.GetBytes(associatedData));
            return Encoding.UTF8.GetString(plaintext);
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    private static byte[] KeyOf(string token) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(token), 32, salt: [], info: SuccessorInfo);

    private static bool IsBase64Url(string value) =>
        value.Length == EncodedLength && value.All(c => c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_');
}
