using System.Globalization;

namespace TokenFunction.Clients;

/// <summary>
/// Which client secret an operator (or any registration) may set: at least <see cref="ClientSecretHasher.MinSecretLength"/>
/// characters and at least <see cref="MinEntropyBits"/> bits by <see cref="SecretStrength"/>'s conservative estimate,
/// so that repeated or sequential characters and common words padded to length are refused. Secrets are stored as a
/// fast salted hash (<see cref="ClientSecretHasher"/>), which is sound only for secrets nobody can guess.
/// <see cref="ClientSecretHasher.GenerateSecret"/> (256 random bits) always passes.
/// </summary>
public static class ClientSecretPolicy
{
    public const int MinEntropyBits = 128;

    /// <summary>Whether <paramref name="secret"/> may be registered; otherwise why not, in one line without the secret.</summary>
    public static bool IsAcceptable(string secret, out string? reason)
    {
        ArgumentNullException.ThrowIfNull(secret);
        if (secret.Length < ClientSecretHasher.MinSecretLength)
        {
            reason = $"must be at least {ClientSecretHasher.MinSecretLength} characters";
            return false;
        }

        var bits = SecretStrength.EstimateBits(secret);
        reason = bits >= MinEntropyBits
            ? null
            : $"is too easy to guess: about {Math.Floor(bits).ToString(CultureInfo.InvariantCulture)} bits by estimate (repeats, sequences, "
              + $"keyboard runs and common words count for little), at least {MinEntropyBits} needed";
        return reason is null;
    }
}
