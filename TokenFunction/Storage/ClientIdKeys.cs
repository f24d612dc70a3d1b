using System.Buffers.Text;
using System.Text;

namespace TokenFunction.Storage;

/// <summary>
/// The one place a client id becomes a table key (<see cref="TableNames.Clients"/>, the client partitions of
/// <see cref="TableNames.GrantIndex"/> and <see cref="TableNames.ClientAssertions"/>). RFC 6749 allows any VSCHAR in
/// an id, but Table Storage forbids <c>/ \ # ?</c> in keys. An id of the characters allowed before (1 to
/// <see cref="LegacyMaxLength"/> of <c>A-Z a-z 0-9 - . _ ~</c>) is its own key, so rows written before other ids were
/// allowed are read as they are, with no migration and no second read. Any other id is keyed by
/// <see cref="EncodedPrefix"/> + base64url(UTF-8 id): reversible, at most 345 characters for 255, and never equal
/// to a plain id because <c>:</c> is not among the plain characters.
/// </summary>
public static class ClientIdKeys
{
    /// <summary>The longest id of the former key format.</summary>
    public const int LegacyMaxLength = 128;

    public const string EncodedPrefix = "b64:";

    public static string Of(string clientId)
    {
        ArgumentNullException.ThrowIfNull(clientId);
        return IsPlain(clientId) ? clientId : EncodedPrefix + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(clientId));
    }

    /// <summary>Whether the id is its own key: the characters and length every id had before RFC 6749's VSCHAR ids.</summary>
    public static bool IsPlain(string clientId) =>
        clientId.Length is > 0 and <= LegacyMaxLength && clientId.All(Protocol.Pkce.IsUnreserved);
}
