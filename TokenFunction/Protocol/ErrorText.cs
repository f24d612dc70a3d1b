using System.Text;

namespace TokenFunction.Protocol;

/// <summary>
/// Keeps <c>error_description</c> within the characters RFC 6749 section 5.2 allows (%x20-21 / %x23-5B / %x5D-7E),
/// since descriptions may quote what a client sent.
/// </summary>
public static class ErrorText
{
    public const int MaxQuotedLength = 64;

    public static string Sanitize(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            builder.Append(IsAllowed(c) ? c : '?');
        }

        return builder.ToString();
    }

    /// <summary>Quotes a client-supplied value for a description: sanitized and shortened.</summary>
    public static string Quote(string value)
    {
        var shortened = value.Length > MaxQuotedLength ? value[..MaxQuotedLength] + "..." : value;
        return "'" + Sanitize(shortened).Replace('\'', '?') + "'";
    }

    public static bool IsAllowed(char c) => c is (>= '\x20' and <= '\x21') or (>= '\x23' and <= '\x5B') or (>= '\x5D' and <= '\x7E');
}
