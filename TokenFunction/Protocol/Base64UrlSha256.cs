using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace TokenFunction.Protocol;

/// <summary>
/// base64url (no padding) of the SHA-256 of a string's UTF-8 bytes: the S256 code challenge (RFC 7636), a JWK
/// thumbprint (RFC 7638), and every key the service derives from a secret it must not store (codes, refresh tokens,
/// assertion ids, subjects).
/// </summary>
public static class Base64UrlSha256
{
    public static string Of(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }
}
