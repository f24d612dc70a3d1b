using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using TokenFunction.Settings;

namespace TokenFunction.Endpoints;

/// <summary>
/// Server nonces for DPoP proofs (RFC 9449 section 8), stateless so that every instance accepts every other's: a nonce
/// is the current time step (<see cref="StepSeconds"/>) and an HMAC-SHA256 of it under <see cref="DpopOptions.NonceKey"/>
/// (shared by the instances through the setting), base64url. A nonce is fresh during its step and the next, so a client
/// holding one has at least one step to use it; nothing is stored, and a forged or stale one fails the HMAC or the step.
/// A nonce proves recency, not single use: the proof's <c>jti</c> does that.
/// </summary>
public sealed class DpopNonces(IOptions<DpopOptions> options, TimeProvider time)
{
    public const string HeaderName = "DPoP-Nonce";
    public const int StepSeconds = 300;

    private const int TagBytes = 16;

    // Decoded once, at the first nonce: start-up validation has already refused a missing or malformed key.
    private readonly Lazy<byte[]> _key = new(() => Convert.FromBase64String(
        options.Value.NonceKey ?? throw new InvalidOperationException($"{SettingNames.DpopNonceKey} is not set.")));

    public bool Required => options.Value.RequireNonce;

    /// <summary>A nonce for the current step.</summary>
    public string Issue() => Encode(CurrentStep());

    /// <summary>Whether <paramref name="nonce"/> was issued by an instance sharing the key, in this step or the previous one.</summary>
    public bool IsFresh(string? nonce)
    {
        if (nonce is null || nonce.Length > 64)
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[48];
        if (!Base64Url.TryDecodeFromChars(nonce, bytes, out var length) || length != sizeof(long) + TagBytes)
        {
            return false;
        }

        var step = BinaryPrimitives.ReadInt64BigEndian(bytes);
        var current = CurrentStep();
        return (step == current || step == current - 1)
            && CryptographicOperations.FixedTimeEquals(bytes.Slice(sizeof(long), TagBytes), Tag(step));
    }

    private long CurrentStep() => time.GetUtcNow().ToUnixTimeSeconds() / StepSeconds;

    private string Encode(long step)
    {
        var bytes = new byte[sizeof(long) + TagBytes];
        BinaryPrimitives.WriteInt64BigEndian(bytes, step);
        Tag(step).CopyTo(bytes.AsSpan(sizeof(long)));
        return Base64Url.EncodeToString(bytes);
    }

    private byte[] Tag(long step)
    {
        Span<byte> message = stackalloc byte[sizeof(long)];
        BinaryPrimitives.WriteInt64BigEndian(message, step);
        return HMACSHA256.HashData(_key.Value, message)[..TagBytes];
    }
}
