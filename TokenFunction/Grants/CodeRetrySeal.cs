namespace TokenFunction.Grants;

/// <summary>
/// A grant's first refresh token, sealed on its code row under the code and the PKCE verifier. A client that lost the
/// answer to its code exchange retries with the same code and verifier and so can open it: it gets the same refresh
/// token, not a second family. Storage alone cannot open it (the code is stored only as its hash), nor can a holder of
/// the code without the verifier.
/// </summary>
public static class CodeRetrySeal
{
    private const string Purpose = "code-retry";

    public static string Seal(string code, string? verifier, string refreshToken, string grantId) =>
        SecretSealing.Seal(SecretOf(code, verifier), Purpose, refreshToken, grantId);

    /// <summary>The refresh token, or null when this code and verifier did not seal it.</summary>
    public static string? Open(string code, string? verifier, string sealedValue, string grantId) =>
        SecretSealing.Open(SecretOf(code, verifier), Purpose, sealedValue, grantId);

    // A line break cannot occur in a code or a verifier, so the pair is unambiguous.
    private static string SecretOf(string code, string? verifier) => code + "\n" + verifier;
}
