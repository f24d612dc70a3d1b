namespace TokenFunction.Grants;

/// <summary>
/// A grant's partition key is the base64url SHA-256 of its authorization code (of the code without its version, for the
/// codes this service issues: <see cref="IssuedCodes"/>): the code row is found by a point read, the code itself is never
/// stored, and every grant gets its own partition (no hot partition).
/// </summary>
public static class GrantKeys
{
    public static string ForCode(string code) => IssuedCodes.GrantIdOf(code);

    /// <summary>A short, non-reversible handle for logs: enough to correlate, useless for redeeming.</summary>
    public static string ForLog(string grantId) => grantId.Length > 8 ? grantId[..8] : grantId;
}
