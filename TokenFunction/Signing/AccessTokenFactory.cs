using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Extensions.Options;
using TokenFunction.Settings;
using TokenFunction.Telemetry;

namespace TokenFunction.Signing;

/// <summary>
/// Builds RFC 9068 access tokens: a compact JWS with <c>typ: at+jwt</c> and the claims iss, sub, aud, client_id,
/// scope, iat, exp and jti, and <c>cnf</c> with the <c>jkt</c> of a DPoP-bound token (RFC 9449 section 6.1). No <c>nbf</c>: a resource server whose clock runs behind would refuse fresh tokens.
/// Every signature passes here, so here it is timed (<c>oauth.signing.duration</c>) and here a new <c>kid</c> is
/// noticed (the SigningKeyRotated audit event), whichever provider holds the key.
/// </summary>
public sealed class AccessTokenFactory(ISigningKeyProvider keys, IOptions<TokenOptions> options, TimeProvider time, AuditLog audit)
{
    private readonly Lock _keyIds = new();

    /// <summary>The kid signing now, and the one before it; null before the first token.</summary>
    private string? _currentKeyId;
    private string? _previousKeyId;

    /// <summary>The header of the last key seen; replaced, never mutated, so readers need no lock.</summary>
    private volatile EncodedHeader? _header;

    public const string TokenType = "at+jwt";

    // The default encoder escapes '+' (at+jwt) as \u002B: valid JSON, but needlessly unlike every other issuer.
    private static readonly JsonWriterOptions s_writerOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public async Task<AccessToken> CreateAsync(AccessTokenDescriptor descriptor, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var key = await keys.GetSigningKeyAsync(cancellationToken).ConfigureAwait(false);
        var issuedAt = time.GetUtcNow().ToUnixTimeSeconds();
        var tokenId = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));

        var header = HeaderOf(key);
        var payload = Json(writer =>
        {
            writer.WriteString("iss", settings.Issuer);
            writer.WriteString("sub", descriptor.Subject);
            if (descriptor.Audiences is not { Count: > 0 } audiences)
            {
                writer.WriteString("aud", settings.Audience);
            }
            else if (audiences.Count == 1)
            {
                writer.WriteString("aud", audiences[0]);
            }
            else
            {
                writer.WriteStartArray("aud");
                foreach (var audience in audiences)
                {
                    writer.WriteStringValue(audience);
                }

                writer.WriteEndArray();
            }
            writer.WriteString("client_id", descriptor.ClientId);
            if (descriptor.Scope.Length > 0)
            {
                writer.WriteString("scope", descriptor.Scope);
            }

            writer.WriteNumber("iat", issuedAt);
            writer.WriteNumber("exp", issuedAt + settings.AccessTokenLifetimeSeconds);
            writer.WriteString("jti", tokenId);
            if (descriptor.DpopThumbprint is { } thumbprint)
            {
                writer.WriteStartObject("cnf");
                writer.WriteString("jkt", thumbprint);
                writer.WriteEndObject();
            }
        });

        // base64url(header).base64url(payload), written once as the bytes the signer takes and the token's text.
        var signingInput = new byte[header.Length + 1 + Base64Url.GetEncodedLength(payload.Length)];
        header.CopyTo(signingInput, 0);
        signingInput[header.Length] = (byte)'.';
        Base64Url.EncodeToUtf8(payload, signingInput.AsSpan(header.Length + 1));
        var signature = await SignAsync(key, signingInput, cancellationToken).ConfigureAwait(false);
        return new AccessToken(Compact(signingInput, signature), tokenId, settings.AccessTokenLifetimeSeconds, descriptor.Scope)
        {
            DpopThumbprint = descriptor.DpopThumbprint,
        };
    }

    private async Task<byte[]> SignAsync(ISigningKey key, byte[] signingInput, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var failed = true;
        byte[] signature;
        try
        {
            signature = await key.SignAsync(signingInput, cancellationToken).ConfigureAwait(false);
            failed = false;
        }
        finally
        {
            TokenMetrics.Signing(key.Signer, failed, Stopwatch.GetElapsedTime(started));
        }

        if (IsNewKey(key.KeyId, out var previous))
        {
            audit.SigningKeyRotated(key.KeyId, previous);
        }

        return signature;
    }

    /// <summary>
    /// Whether this kid replaces the one signing until now: once per change, whichever concurrent request sees it first.
    /// A request that took the previous key just before the change and signs just after it is a straggler, not a
    /// rotation back. The first key an instance signs with is no rotation either.
    /// </summary>
    private bool IsNewKey(string keyId, out string previous)
    {
        // Every token asks; the lock is needed only when the kid is not the current one.
        if (string.Equals(keyId, Volatile.Read(ref _currentKeyId), StringComparison.Ordinal))
        {
            previous = keyId;
            return false;
        }

        lock (_keyIds)
        {
            previous = _currentKeyId ?? string.Empty;
            if (string.Equals(keyId, _currentKeyId, StringComparison.Ordinal) || string.Equals(keyId, _previousKeyId, StringComparison.Ordinal))
            {
                return false;
            }

            (_previousKeyId, _currentKeyId) = (_currentKeyId, keyId);
            return _previousKeyId is not null;
        }
    }

    /// <summary>The base64url JOSE header of the key's tokens, kept while its kid signs (a kid names one key and algorithm).</summary>
    private byte[] HeaderOf(ISigningKey key)
    {
        var cached = _header;
        if (cached is not null && string.Equals(cached.KeyId, key.KeyId, StringComparison.Ordinal) && string.Equals(cached.Algorithm, key.Algorithm, StringComparison.Ordinal))
        {
            return cached.Encoded;
        }

        var json = Json(writer =>
        {
            writer.WriteString("alg", key.Algorithm);
            writer.WriteString("typ", TokenType);
            writer.WriteString("kid", key.KeyId);
        });
        var encoded = new byte[Base64Url.GetEncodedLength(json.Length)];
        Base64Url.EncodeToUtf8(json, encoded);
        _header = new EncodedHeader(key.KeyId, key.Algorithm, encoded);
        return encoded;
    }

    private static string Compact(byte[] signingInput, byte[] signature) =>
        string.Create(signingInput.Length + 1 + Base64Url.GetEncodedLength(signature.Length), (signingInput, signature), static (text, parts) =>
        {
            System.Text.Encoding.ASCII.GetChars(parts.signingInput, text);
            text[parts.signingInput.Length] = '.';
            Base64Url.EncodeToChars(parts.signature, text[(parts.signingInput.Length + 1)..]);
        });

    private sealed record EncodedHeader(string KeyId, string Algorithm, byte[] Encoded);

    private static byte[] Json(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, s_writerOptions))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
