using TokenFunction.Signing;

namespace TokenFunction.Tests.Unit.Signing;

public class JwkThumbprintTests
{
    // RFC 7638 section 3.1.
    private const string RfcModulus =
        "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";
    private const string RfcExponent = "AQAB";
    private const string RfcThumbprint = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs";

    [Test]
    public void Compute_MatchesRfc7638Section31Example()
    {
        var key = new PublicJsonWebKey { KeyType = "RSA", Algorithm = "RS256", KeyId = "2011-04-29", Modulus = RfcModulus, Exponent = RfcExponent };

        Assert.That(JwkThumbprint.Compute(key), Is.EqualTo(RfcThumbprint));
    }

    [Test]
    public void Compute_IgnoresNonRequiredMembers()
    {
        var bare = new PublicJsonWebKey { KeyType = "RSA", Algorithm = "RS256", KeyId = string.Empty, Modulus = RfcModulus, Exponent = RfcExponent };
        var decorated = bare with { Algorithm = "PS256", KeyId = "something-else", Use = "enc" };

        Assert.That(JwkThumbprint.Compute(decorated), Is.EqualTo(JwkThumbprint.Compute(bare)));
    }

    [Test]
    public void Compute_EcKeyDependsOnCurveAndCoordinates()
    {
        var key = new PublicJsonWebKey { KeyType = "EC", Algorithm = "ES256", KeyId = string.Empty, Curve = "P-256", X = "AAAA", Y = "BBBB" };

        var thumbprints = new[]
        {
            JwkThumbprint.Compute(key),
            JwkThumbprint.Compute(key with { X = "AAAB" }),
            JwkThumbprint.Compute(key with { Y = "BBBC" }),
            JwkThumbprint.Compute(key with { Curve = "P-384" }),
        };

        Assert.That(thumbprints, Is.Unique);
    }

    [Test]
    public void Compute_RefusesUnknownKeyType()
    {
        var key = new PublicJsonWebKey { KeyType = "oct", Algorithm = "HS256", KeyId = string.Empty };

        Assert.That(() => JwkThumbprint.Compute(key), Throws.TypeOf<NotSupportedException>());
    }
}
