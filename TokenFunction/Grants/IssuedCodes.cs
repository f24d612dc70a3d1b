using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using TokenFunction.Protocol;

namespace TokenFunction.Grants;

/// <summary>
/// The codes this service issues carry their grant: <c>{secret}.{grant}.{version}</c>, where <c>grant</c> is what the
/// authorize step decided (base64url JSON) and <c>version</c> the grant record's version right after it was stored. The
/// grant id is the SHA-256 of <c>{secret}.{grant}</c>, so a code whose grant was altered names no record; and a write
/// conditional on <c>version</c> succeeds only while the record is exactly as issued (not redeemed, not revoked, not
/// changed). So the exchange can judge the code from the code and consume it with that one write, without a read; when
/// the write fails it reads the record and judges as for any code. The grant is legible to whoever holds the code, as a
/// JWT's claims are: it names the client, the user and the scope, nothing that redeems anything without the code.
/// A code in any other form (an authorize step of its own writing rows, docs/storage.md) is SHA-256(code) as before.
/// </summary>
public static class IssuedCodes
{
    private const int SecretBytes = 32;
    private const int SecretLength = 43;

    // The grant's first member, which also tells these codes from any other with two dots: {"v":1,
    private static readonly byte[] s_marker = "{\"v\":1,"u8.ToArray();

    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>A new random secret for a code.</summary>
    public static string NewSecret() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(SecretBytes));

    /// <summary>The code without its version: what the grant id is the hash of. The grant's id and version are not in it.</summary>
    public static string Stem(string secret, AuthorizationGrant grant)
    {
        ArgumentNullException.ThrowIfNull(secret);
        ArgumentNullException.ThrowIfNull(grant);
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("v", 1);
            json.WriteString("cid", grant.ClientId);
            json.WriteString("uri", grant.RedirectUri);
            json.WriteString("sub", grant.Subject);
            json.WriteString("scp", grant.Scope);
            json.WriteStartArray("res");
            foreach (var resource in grant.Resources)
            {
                json.WriteStringValue(resource);
            }

            json.WriteEndArray();
            json.WriteNumber("iat", grant.IssuedAt.UtcTicks);
            json.WriteNumber("exp", grant.ExpiresAt.UtcTicks);
            WriteOptional(json, "cc", grant.CodeChallenge);
            WriteOptional(json, "ccm", grant.CodeChallengeMethod);
            WriteOptional(json, "jkt", grant.DpopJkt);
            json.WriteEndObject();
        }

        return secret + "." + Base64Url.EncodeToString(buffer.WrittenSpan);
    }

    /// <summary>The code: the stem and the version of the grant record as stored. Without a version, the stem alone (judged by a read).</summary>
    public static string Complete(string stem, ConcurrencyToken version) =>
        version.Value is { } value ? stem + "." + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(value)) : stem;

    /// <summary>The grant id of any code: SHA-256 of the stem of a code of this form, of the whole code otherwise.</summary>
    public static string GrantIdOf(string code)
    {
        ArgumentNullException.ThrowIfNull(code);
        return Base64UrlSha256.Of(TrySplit(code, out var stem, out _, out _) ? stem : code);
    }

    /// <summary>
    /// The grant as the code carries it, with the grant id and the version it was issued at: false for a code not of this
    /// form. Only the write conditional on that version can tell whether the grant is still so.
    /// </summary>
    public static bool TryRead(string code, [NotNullWhen(true)] out AuthorizationGrant? issued)
    {
        issued = null;
        if (code is null || !TrySplit(code, out var stem, out var grantJson, out var version))
        {
            return false;
        }

        try
        {
            issued = ReadGrant(grantJson) is { } grant ? grant with { GrantId = Base64UrlSha256.Of(stem), Version = new ConcurrencyToken(version) } : null;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or ArgumentOutOfRangeException)
        {
            // Not a grant this service wrote: the code is judged by a read, which finds no record for it.
            issued = null;
        }

        return issued is not null;
    }

    private static bool TrySplit(string code, out string stem, out byte[] grantJson, out string version)
    {
        stem = version = string.Empty;
        grantJson = [];
        var first = code.IndexOf('.', StringComparison.Ordinal);
        var last = code.LastIndexOf('.');
        if (first != SecretLength || last <= first + 1 || last == code.Length - 1)
        {
            return false;
        }

        var encodedGrant = code.AsSpan(first + 1, last - first - 1);
        var encodedVersion = code.AsSpan(last + 1);
        if (!Base64Url.IsValid(code.AsSpan(0, first)) || !Base64Url.IsValid(encodedGrant) || !Base64Url.IsValid(encodedVersion))
        {
            return false;
        }

        var json = Base64Url.DecodeFromChars(encodedGrant);
        if (!json.AsSpan().StartsWith(s_marker))
        {
            return false;
        }

        var versionBytes = Base64Url.DecodeFromChars(encodedVersion);
        try
        {
            version = s_strictUtf8.GetString(versionBytes);
        }
        catch (DecoderFallbackException)
        {
            return false;
        }

        stem = code[..last];
        grantJson = json;
        return true;
    }

    private static AuthorizationGrant? ReadGrant(byte[] json)
    {
        string? clientId = null, redirectUri = null, subject = null, scope = null, challenge = null, method = null, jkt = null;
        long? issuedAt = null, expiresAt = null;
        List<string>? resources = null;
        var reader = new Utf8JsonReader(json);
        Expect(ref reader, JsonTokenType.StartObject);
        while (Next(ref reader) == JsonTokenType.PropertyName)
        {
            var name = reader.GetString();
            Next(ref reader);
            switch (name)
            {
                case "v" when reader.GetInt32() == 1: break;
                case "cid": clientId = reader.GetString(); break;
                case "uri": redirectUri = reader.GetString(); break;
                case "sub": subject = reader.GetString(); break;
                case "scp": scope = reader.GetString(); break;
                case "iat": issuedAt = reader.GetInt64(); break;
                case "exp": expiresAt = reader.GetInt64(); break;
                case "cc": challenge = reader.GetString(); break;
                case "ccm": method = reader.GetString(); break;
                case "jkt": jkt = reader.GetString(); break;
                case "res":
                    resources = [];
                    if (reader.TokenType != JsonTokenType.StartArray)
                    {
                        return null;
                    }

                    while (Next(ref reader) == JsonTokenType.String)
                    {
                        resources.Add(reader.GetString()!);
                    }

                    break;
                default: return null;
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject || reader.Read()
            || clientId is null || redirectUri is null || subject is null || scope is null || resources is null || issuedAt is null || expiresAt is null
            || (challenge is null) != (method is null) || (method is not null && !Pkce.IsSupportedMethod(method)))
        {
            return null;
        }

        return new AuthorizationGrant
        {
            GrantId = string.Empty,
            ClientId = clientId,
            RedirectUri = redirectUri,
            Subject = subject,
            Scope = scope,
            Resources = resources,
            IssuedAt = new DateTimeOffset(issuedAt.Value, TimeSpan.Zero),
            ExpiresAt = new DateTimeOffset(expiresAt.Value, TimeSpan.Zero),
            CodeChallenge = challenge,
            CodeChallengeMethod = method,
            DpopJkt = jkt,
        };
    }

    private static JsonTokenType Next(ref Utf8JsonReader reader) => reader.Read() ? reader.TokenType : JsonTokenType.None;

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type)
    {
        if (Next(ref reader) != type)
        {
            throw new JsonException("unexpected token");
        }
    }

    private static void WriteOptional(Utf8JsonWriter json, string name, string? value)
    {
        if (value is not null)
        {
            json.WriteString(name, value);
        }
    }
}
