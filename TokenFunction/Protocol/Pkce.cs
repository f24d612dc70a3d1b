using System.Security.Cryptography;
using System.Text;

namespace TokenFunction.Protocol;

/// <summary>RFC 7636: the verifier's syntax and its transformation to a challenge.</summary>
public static class Pkce
{
    public const string S256 = "S256";
    public const string Plain = "plain";
    public const int MinVerifierLength = 43;
    public const int MaxVerifierLength = 128;

    /// <summary>43 to 128 characters of the unreserved set [A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~" (section 4.1).</summary>
    public static bool IsValidVerifier(string verifier) =>
        verifier.Length is >= MinVerifierLength and <= MaxVerifierLength && verifier.All(IsUnreserved);

    public static IReadOnlyList<string> Methods { get; } = [S256, Plain];

    public static bool IsSupportedMethod(string method) => Methods.Contains(method);

    public static string ComputeS256Challenge(string verifier) =>
        Base64UrlSha256.Of(verifier);

    /// <summary>Compares in constant time, so the comparison does not tell an attacker how much of a guess was right.</summary>
    public static bool Matches(string verifier, string challenge, string method)
    {
        var derived = method == S256 ? ComputeS256Challenge(verifier) : verifier;
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(derived), Encoding.ASCII.GetBytes(challenge));
    }

    public static bool IsUnreserved(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~';
}
