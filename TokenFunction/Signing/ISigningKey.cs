namespace TokenFunction.Signing;

/// <summary>One signing key version; the private part may live elsewhere (Key Vault).</summary>
public interface ISigningKey
{
    /// <summary>The JWS <c>kid</c>; the same value the JWKS document publishes for this key.</summary>
    string KeyId { get; }

    /// <summary>The JWS <c>alg</c>, e.g. RS256, PS256, ES256.</summary>
    string Algorithm { get; }

    /// <summary>Where the private key is, for telemetry: <c>local</c> or <c>keyvault</c>.</summary>
    string Signer { get; }

    /// <summary>Signs the JWS signing input (<c>base64url(header).base64url(payload)</c>) and returns the JWS signature bytes.</summary>
    Task<byte[]> SignAsync(ReadOnlyMemory<byte> signingInput, CancellationToken cancellationToken);
}
