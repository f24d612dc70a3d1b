using System.Buffers.Text;
using System.Globalization;
using System.Numerics;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace TokenFunction.Tests.Infrastructure;

/// <summary>
/// The second valid form of an ES256 signature, as an attacker who saw a JWS could make it without the key: a JWS
/// ES256 signature is r || s (32 bytes each, RFC 7518 section 3.4), and (r, n - s) verifies as well as (r, s), n
/// being the order of P-256. "High S" is s &gt; n / 2, the form some verifiers (Bitcoin's) refuse.
/// </summary>
public static class EcdsaMalleability
{
    private const int ScalarBytes = 32;

    /// <summary>The order of the P-256 base point (SEC 2, FIPS 186-4 D.1.2.3).</summary>
    private static readonly BigInteger s_order = BigInteger.Parse("0FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    /// <summary>The same JWS with s replaced by n - s.</summary>
    public static string WithOtherS(string jws) => WithS(jws, s => s_order - s);

    /// <summary>The same JWS with its signature in the high-S form (unchanged if it already is).</summary>
    public static string WithHighS(string jws) => WithS(jws, s => s > s_order / 2 ? s : s_order - s);

    public static bool HasHighS(string jws) => SOf(Signature(jws)) > s_order / 2;

    /// <summary>Whether Microsoft.IdentityModel accepts the JWS's signature with <paramref name="key"/> (claims not checked).</summary>
    public static async Task<bool> SignatureVerifiesAsync(string jws, ClientKeyPair key)
    {
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(jws, new TokenValidationParameters
        {
            IssuerSigningKey = key.SecurityKey,
            ValidateIssuer = false,
            ValidateAudience = false,
            ValidateLifetime = false,
        });
        return result.IsValid;
    }

    private static string WithS(string jws, Func<BigInteger, BigInteger> change)
    {
        var signature = Signature(jws);
        var s = change(SOf(signature));
        var sBytes = s.ToByteArray(isUnsigned: true, isBigEndian: true);
        var replaced = new byte[2 * ScalarBytes];
        signature.AsSpan(0, ScalarBytes).CopyTo(replaced);
        sBytes.CopyTo(replaced.AsSpan((2 * ScalarBytes) - sBytes.Length));
        return jws[..(jws.LastIndexOf('.') + 1)] + Base64Url.EncodeToString(replaced);
    }

    private static byte[] Signature(string jws)
    {
        var signature = Base64Url.DecodeFromChars(jws.AsSpan(jws.LastIndexOf('.') + 1));
        Assert.That(signature, Has.Length.EqualTo(2 * ScalarBytes), "an ES256 JWS signature is r || s");
        return signature;
    }

    private static BigInteger SOf(byte[] signature) => new(signature.AsSpan(ScalarBytes), isUnsigned: true, isBigEndian: true);
}
