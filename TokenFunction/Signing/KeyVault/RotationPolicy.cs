namespace TokenFunction.Signing.KeyVault;

/// <summary>A version of the signing key as the vault lists it, and when this instance first saw it.</summary>
/// <param name="FirstSeen">
/// When this instance first published the version: <see cref="DateTimeOffset.MinValue"/> for versions that existed at
/// start-up (the running instances published them already).
/// </param>
public sealed record KeyVersionInfo(string Version, DateTimeOffset? Created, DateTimeOffset? NotBefore, DateTimeOffset? Expires, bool Enabled, DateTimeOffset FirstSeen)
{
    public bool UsableAt(DateTimeOffset now) =>
        Enabled && (NotBefore is not { } nbf || nbf <= now) && (Expires is not { } exp || now < exp);
}

/// <summary>A version's place in the rotation: from when it may sign, and when a successor took over from it (null: none yet).</summary>
public sealed record RotationSlot(KeyVersionInfo Key, DateTimeOffset ActivatesAt, DateTimeOffset? RetiredAt);

/// <summary>What the policy decides at an instant: the version that signs, the versions published (newest first), and those dropped.</summary>
public sealed record RotationState(string? Current, IReadOnlyList<string> Published, IReadOnlyList<string> Retired);

/// <summary>
/// Key Vault rotation as a pure decision over the key's versions and the time: no vault, no cache, no clock of its own.
/// A version signs <see cref="PrePublication"/> after it became known (the latest of its <c>created</c> and <c>nbf</c>
/// times and the moment this instance first published it), so resource servers with a cached JWKS know it before they
/// see a token signed with it; until then the previous version keeps signing. When no version has finished its
/// pre-publication (a brand-new key), the oldest usable one signs: there is nothing else to sign with. A superseded
/// version stays published for <see cref="Retention"/> (the access-token lifetime plus a grace) after its successor took
/// over, so every token it signed still validates; disabled and expired versions are out.
/// </summary>
public sealed class RotationPolicy(TimeSpan prePublication, TimeSpan retention)
{
    public TimeSpan PrePublication { get; } = prePublication;

    public TimeSpan Retention { get; } = retention;

    /// <summary>
    /// The versions that matter at <paramref name="now"/>, oldest first, with their activation and retirement: what a
    /// provider loads. A version retired longer than <see cref="Retention"/> ago signed no token that is still live.
    /// </summary>
    public IReadOnlyList<RotationSlot> Plan(IEnumerable<KeyVersionInfo> versions, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(versions);
        var candidates = versions
            .Where(v => v.Enabled && (v.Expires is not { } expires || now < expires))
            .Select(v =>
            {
                var created = v.Created ?? now;
                var visible = Max(Max(created, v.NotBefore ?? DateTimeOffset.MinValue), v.FirstSeen);
                return (Key: v, Created: created, ActivatesAt: visible + PrePublication);
            })
            .OrderBy(c => c.Created)
            .ThenBy(c => c.Key.Version, StringComparer.Ordinal)
            .ToList();

        var slots = new List<RotationSlot>();
        for (var i = 0; i < candidates.Count; i++)
        {
            DateTimeOffset? retiredAt = null;
            for (var j = i + 1; j < candidates.Count; j++)
            {
                retiredAt = retiredAt is { } r ? Min(r, candidates[j].ActivatesAt) : candidates[j].ActivatesAt;
            }

            if (retiredAt is { } retired && retired + Retention <= now)
            {
                continue;
            }

            slots.Add(new RotationSlot(candidates[i].Key, candidates[i].ActivatesAt, retiredAt));
        }

        return slots;
    }

    /// <summary>
    /// The slot that signs at <paramref name="now"/>: the newest usable one whose pre-publication is over, else the oldest
    /// usable one (the one that has signed since the key was new, and in any case the one published longest).
    /// </summary>
    public static T? SignerAt<T>(IReadOnlyList<T> slots, Func<T, RotationSlot> slotOf, DateTimeOffset now)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(slots);
        ArgumentNullException.ThrowIfNull(slotOf);
        T? fallback = null;
        for (var i = slots.Count - 1; i >= 0; i--)
        {
            var slot = slotOf(slots[i]);
            if (!slot.Key.UsableAt(now))
            {
                continue;
            }

            if (slot.ActivatesAt <= now)
            {
                return slots[i];
            }

            fallback = slots[i];
        }

        return fallback;
    }

    /// <summary>Every enabled, unexpired slot that signs, will sign, or signed a token that may still be live; newest first.</summary>
    public IEnumerable<T> PublishedAt<T>(IReadOnlyList<T> slots, Func<T, RotationSlot> slotOf, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(slots);
        ArgumentNullException.ThrowIfNull(slotOf);
        return slots
            .Where(s => slotOf(s) is var slot && slot.Key.Enabled && (slot.Key.Expires is not { } exp || now < exp)
                && (slot.RetiredAt is not { } retired || now < retired + Retention))
            .Reverse();
    }

    /// <summary>The whole decision at <paramref name="now"/>, by version id.</summary>
    public RotationState Decide(IEnumerable<KeyVersionInfo> versions, DateTimeOffset now)
    {
        var all = versions.ToList();
        var plan = Plan(all, now);
        var published = PublishedAt(plan, s => s, now).Select(s => s.Key.Version).ToList();
        return new RotationState(
            SignerAt(plan, s => s, now)?.Key.Version,
            published,
            [.. all.Select(v => v.Version).Where(v => !published.Contains(v, StringComparer.Ordinal))]);
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
