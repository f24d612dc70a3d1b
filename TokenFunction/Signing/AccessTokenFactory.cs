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
/// scope, iat, exp and jti. No <c>nbf</c>: a resource server whose clock runs behind would refuse fresh tokens.
/// Every signature passes here, so here it is timed (<c>oauth.signing.duration</c>) and here a new <c>kid</c> is
/// noticed (the SigningKeyRotated audit event), whichever provider holds the key.
/// </summary>
public sealed class AccessTokenFactory(ISigningKeyProvider keys, IOptions<TokenOptions> options, TimeProvider time, AuditLog audit)
{
    /// <summary>The kid of the last token signed; null before the first.</summary>
    private string? _lastKeyId;

    public const string TokenType = "at+jwt";

    // The default encoder escapes '+' (at+jwt) as \u002B: valid JSON, but needlessly unlike every other issuer.
    private static readonly JsonWriterOptions s_writerOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public async Task<AccessToken> CreateAsync(AccessTokenDescriptor descriptor, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var key = await keys.GetSigningKeyAsync(cancellationToken).ConfigureAwait(false);
        var issuedAt = time.GetUtcNow().ToUnixTimeSeconds();
        var tokenId = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));

        var header = Json(writer =>
        {
            writer.WriteString("alg", key.Algorithm);
            writer.WriteString("typ", TokenType);
            writer.WriteString("kid", key.KeyId);
        });
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
        });

        var signingInput = $"{Base64Url.EncodeToString(header)}.{Base64Url.EncodeToString(payload)}";
        var signature = await SignAsync(key, System.Text.Encoding.ASCII.GetBytes(signingInput), cancellationToken).ConfigureAwait(false);
        return new AccessToken($"{signingInput}.{Base64Url.EncodeToString(signature)}", tokenId, settings.AccessTokenLifetimeSeconds, descriptor.Scope);
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

        // Once per change of key, whichever concurrent request sees it first.
        var previous = Interlocked.Exchange(ref _lastKeyId, key.KeyId);
        if (previous is not null && !string.Equals(previous, key.KeyId, StringComparison.Ordinal))
        {
            audit.SigningKeyRotated(key.KeyId, previous);
        }

        return signature;
    }

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
