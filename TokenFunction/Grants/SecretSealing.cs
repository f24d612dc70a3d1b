using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace TokenFunction.Grants;

/// <summary>
/// Seals a value under a key derived from a secret the caller presents (HKDF-SHA256 of the secret, AES-GCM), so that
/// storage keeps something only a holder of that secret can open: a refresh token's successor under the old token,
/// a grant's first refresh token under its code and verifier. The associated data binds the value to its row.
/// </summary>
internal static class SecretSealing
{
    private const int KeyBytes = 32;
    private const int NonceBytes = 12;
    private const int TagBytes = 16;

    public static string Seal(string secret, string purpose, string value, string associatedData)
    {
        var key = KeyOf(secret, purpose);
        var plaintext = Encoding.UTF8.GetBytes(value);
        var sealedBytes = new byte[NonceBytes + plaintext.Length + TagBytes];
        var nonce = sealedBytes.AsSpan(0, NonceBytes);
        RandomNumberGenerator.Fill(nonce);
        try
        {
            using var aes = new AesGcm(key, TagBytes);
            aes.Encrypt(nonce, plaintext, sealedBytes.AsSpan(NonceBytes, plaintext.Length), sealedBytes.AsSpan(NonceBytes + plaintext.Length), Encoding.UTF8.GetBytes(associatedData));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }

        return Base64Url.EncodeToString(sealedBytes);
    }

    /// <summary>The value, or null when it was not sealed under this secret and purpose (or was tampered with).</summary>
    public static string? Open(string secret, string purpose, string sealedValue, string associatedData)
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

        var key = KeyOf(secret, purpose);
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

    private static byte[] KeyOf(string secret, string purpose) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(secret), KeyBytes, salt: [], info: Encoding.ASCII.GetBytes(purpose));
}
