using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace TokenFunction.Clients;

/// <summary>
/// Client secrets are stored as a salted SHA-256 (<c>sha256$salt$hash</c>) and compared in constant time.
/// A fast hash is enough because secrets are long random strings (see <see cref="MinSecretLength"/>); a slow
/// password hash would cost CPU on every token request without adding strength to a 256-bit secret.
/// </summary>
public static class ClientSecretHasher
{
    public const int MinSecretLength = 32;
    private const string Scheme = "sha256";
    private const int SaltBytes = 16;
    private const int GeneratedSecretBytes = 32;

    /// <summary>A new secret of 256 random bits; base64url, so only RFC 3986 unreserved characters.</summary>
    public static string GenerateSecret() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(GeneratedSecretBytes));

    public static string Hash(string secret)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        return $"{Scheme}${Base64Url.EncodeToString(salt)}${Base64Url.EncodeToString(Digest(salt, secret))}";
    }

    public static bool Verify(string secret, string storedHash)
    {
        var parts = storedHash.Split('$');
        // A malformed stored hash is a failed verification, not an exception (which would answer 500, not 401).
        if (parts.Length != 3 || parts[0] != Scheme || !Base64Url.IsValid(parts[1]) || !Base64Url.IsValid(parts[2]))
        {
            return false;
        }

        var expected = Base64Url.DecodeFromChars(parts[2]);
        return CryptographicOperations.FixedTimeEquals(Digest(Base64Url.DecodeFromChars(parts[1]), secret), expected);
    }

    private static byte[] Digest(byte[] salt, string secret)
    {
        var secretBytes = Encoding.UTF8.GetBytes(secret);
        var input = new byte[salt.Length + secretBytes.Length];
        salt.CopyTo(input, 0);
        secretBytes.CopyTo(input, salt.Length);
        var digest = SHA256.HashData(input);
        CryptographicOperations.ZeroMemory(input);
        CryptographicOperations.ZeroMemory(secretBytes);
        return digest;
    }
}
