using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TokenFunction.Settings;

namespace TokenFunction.Signing.KeyVault;

/// <summary>
/// Signs with a Key Vault key and publishes the versions that may verify live tokens: a thin cache over the vault, whose
/// rotation decisions are <see cref="RotationPolicy"/>'s.
/// <para>
/// Key metadata (versions, attributes, public keys) is read at the first use and then at most every
/// <see cref="SigningOptions.KeyRefreshSeconds"/>: <see cref="GetSigningKeyAsync"/> never waits for it after the first
/// load (a due refresh runs in the background), so a token costs exactly one Key Vault call, the sign.
/// </para>
/// <para>
/// Rotation (key id without a version): a version becomes the signer <see cref="SigningOptions.PrePublicationSeconds"/>
/// after it is known, counted from the latest of its <c>created</c> and <c>nbf</c> times (shared by all instances) and,
/// for a version this instance discovered after start-up, the moment it first published it; until then the previous
/// version keeps signing while the new one is already in JWKS. A superseded version stays in JWKS until the longest
/// token it may have signed has expired (<see cref="TokenOptions.AccessTokenLifetimeSeconds"/> +
/// <see cref="SigningOptions.RetiredKeyGraceSeconds"/> after its successor took over). Disabled and expired versions
/// drop out at the next refresh. When no version has finished pre-publication (a brand-new key), the oldest usable one
/// signs at once: there is nothing else to sign with, and a version added while the key is that young waits for its
/// own pre-publication like any other.
/// </para>
/// <para>With a version in the key id the key is pinned: that version signs and is the only one published.</para>
/// </summary>
public sealed partial class KeyVaultSigningKeyProvider : ISigningKeyProvider, IDisposable
{
    private static readonly TimeSpan s_failedRefreshRetry = TimeSpan.FromSeconds(30);
    private readonly KeyVaultKeysClient _client;
    private readonly KeyVaultKeyIdentifier _key;
    private readonly string _rsaAlgorithm;
    private readonly TimeSpan _refreshInterval;
    private readonly RotationPolicy _policy;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly KeyVaultErrors _errors;
    private readonly SemaphoreSlim _refreshLock = new(1, 1);
    private readonly CancellationTokenSource _disposed = new();

    // Guarded by _refreshLock.
    private readonly Dictionary<string, KeyVaultSigningKey> _keys = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _firstSeen = new(StringComparer.Ordinal);

    private volatile Snapshot? _snapshot;
    private long _nextRefreshUtcTicks;
    private int _backgroundRefreshRunning;
    private string? _lastSigner;

    public KeyVaultSigningKeyProvider(
        KeyVaultKeysClient client,
        IOptions<SigningOptions> signingOptions,
        IOptions<TokenOptions> tokenOptions,
        IOptions<IdentityOptions> identityOptions,
        TimeProvider timeProvider,
        ILogger<KeyVaultSigningKeyProvider> logger)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(signingOptions);
        ArgumentNullException.ThrowIfNull(tokenOptions);
        ArgumentNullException.ThrowIfNull(identityOptions);
        SigningOptions signing = signingOptions.Value;
        _key = KeyVaultKeyIdentifier.Parse(signing.KeyVaultKeyId
            ?? throw new ArgumentException($"{SettingNames.SigningKeyVaultKeyId} is not set.", nameof(signingOptions)));
        _client = client;
        _rsaAlgorithm = signing.RsaAlgorithm;
        _refreshInterval = TimeSpan.FromSeconds(Math.Max(1, signing.KeyRefreshSeconds));
        _policy = new RotationPolicy(
            prePublication: TimeSpan.FromSeconds(Math.Max(0, signing.PrePublicationSeconds)),
            retention: TimeSpan.FromSeconds(Math.Max(0, tokenOptions.Value.AccessTokenLifetimeSeconds) + Math.Max(0, signing.RetiredKeyGraceSeconds)));
        _time = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _errors = new KeyVaultErrors(_logger, _key, identityOptions.Value.ManagedIdentityClientId);
    }

    /// <summary>The configured key.</summary>
    public KeyVaultKeyIdentifier Key => _key;

    public async ValueTask<ISigningKey> GetSigningKeyAsync(CancellationToken cancellationToken)
    {
        Snapshot snapshot = _snapshot ?? await RefreshAsync(onlyIfDue: true, cancellationToken).ConfigureAwait(false);
        DateTimeOffset now = _time.GetUtcNow();
        if (now.UtcTicks >= Interlocked.Read(ref _nextRefreshUtcTicks))
        {
            StartBackgroundRefresh();
        }

        KeyVaultSigningKey signer = snapshot.SignerAt(now)
            ?? throw _errors.Invalid($"Key Vault key {_key} has no enabled, unexpired version that may sign now.");
        if (!string.Equals(Interlocked.Exchange(ref _lastSigner, signer.Version), signer.Version, StringComparison.Ordinal))
        {
            LogSigner(_logger, _key.ToString(), signer.Version, signer.Algorithm);
        }

        return signer;
    }

    public async ValueTask<IReadOnlyList<PublicJsonWebKey>> GetPublicKeysAsync(CancellationToken cancellationToken)
    {
        Snapshot? snapshot = _snapshot;
        if (snapshot is null || _time.GetUtcNow().UtcTicks >= Interlocked.Read(ref _nextRefreshUtcTicks))
        {
            try
            {
                snapshot = await RefreshAsync(onlyIfDue: true, cancellationToken).ConfigureAwait(false);
            }
            catch (KeyVaultSigningException) when (snapshot is not null)
            {
                // Logged where it was raised; the last known keys stay published.
            }
        }

        return snapshot.PublishedAt(_time.GetUtcNow());
    }

    /// <summary>Re-reads the key from Key Vault now (or, with <paramref name="onlyIfDue"/>, only when the interval has passed).</summary>
    internal async Task<Snapshot> RefreshAsync(bool onlyIfDue, CancellationToken cancellationToken)
    {
        await _refreshLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            DateTimeOffset now = _time.GetUtcNow();
            if (onlyIfDue && _snapshot is { } current && now.UtcTicks < Interlocked.Read(ref _nextRefreshUtcTicks))
            {
                return current;
            }

            try
            {
                Snapshot snapshot = _key.Version is { } pinned
                    ? await LoadPinnedAsync(pinned, cancellationToken).ConfigureAwait(false)
                    : await LoadCurrentAsync(now, cancellationToken).ConfigureAwait(false);
                _snapshot = snapshot;
                Interlocked.Exchange(ref _nextRefreshUtcTicks, (now + _refreshInterval).UtcTicks);
                return snapshot;
            }
            catch (Exception exception) when (_errors.Map(exception, "read key", cancellationToken) is { } mapped)
            {
                Interlocked.Exchange(ref _nextRefreshUtcTicks, (now + Min(_refreshInterval, s_failedRefreshRetry)).UtcTicks);
                throw mapped;
            }
            catch (KeyVaultSigningException)
            {
                Interlocked.Exchange(ref _nextRefreshUtcTicks, (now + Min(_refreshInterval, s_failedRefreshRetry)).UtcTicks);
                throw;
            }
        }
        finally
        {
            _refreshLock.Release();
        }
    }

    private void StartBackgroundRefresh()
    {
        if (Interlocked.CompareExchange(ref _backgroundRefreshRunning, 1, 0) != 0)
        {
            return;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                await RefreshAsync(onlyIfDue: true, _disposed.Token).ConfigureAwait(false);
            }
            catch (KeyVaultSigningException)
            {
                // Logged where it was raised; signing goes on with the keys already known.
            }
            catch (Exception exception) when (exception is OperationCanceledException or ObjectDisposedException && _disposed.IsCancellationRequested)
            {
                // The provider was disposed.
            }
#pragma warning disable CA1031 // A background refresh must never fault unobserved; signing goes on with the keys already known.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                LogRefreshFailed(_logger, _key.ToString(), exception);
            }
            finally
            {
                Volatile.Write(ref _backgroundRefreshRunning, 0);
            }
        });
    }

    private async Task<Snapshot> LoadPinnedAsync(string version, CancellationToken cancellationToken)
    {
        KeyVaultKey bundle = (await _client.GetKeyAsync(_key.Name, version, cancellationToken).ConfigureAwait(false)).Value;
        KeyVaultSigningKey key = KeyFor(version, bundle);
        var pinned = new KeyVersionInfo(version, bundle.Attributes.CreatedTime ?? DateTimeOffset.MinValue, bundle.Attributes.NotBeforeTime,
            bundle.Attributes.ExpiresTime, Enabled: bundle.Attributes.Enabled is not false, FirstSeen: DateTimeOffset.MinValue);
        return new Snapshot([new Entry(key, new RotationSlot(pinned, ActivatesAt: DateTimeOffset.MinValue, RetiredAt: null))], _policy);
    }

    private async Task<Snapshot> LoadCurrentAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        bool initialLoad = _snapshot is null;

        // The version list carries every version's attributes (also of disabled ones, whose key material the vault
        // may refuse to return); key material is then read per version, once, for the versions the policy needs.
        var versions = new List<KeyVersionInfo>();
        await foreach (KeyVaultKeyItem item in _client.GetPropertiesOfKeyVersionsAsync(_key.Name, cancellationToken).ConfigureAwait(false))
        {
            if (item.Version is not { Length: > 0 } version)
            {
                continue;
            }

            KeyVaultKeyAttributes attributes = item.Attributes;
            bool usable = attributes.Enabled is not false && (attributes.ExpiresTime is not { } expires || now < expires);
            if (usable && !_firstSeen.ContainsKey(version))
            {
                // Versions that exist at start-up have been published by the running instances already.
                _firstSeen[version] = initialLoad ? DateTimeOffset.MinValue : now;
                if (!initialLoad)
                {
                    DateTimeOffset created = attributes.CreatedTime ?? now;
                    LogNewVersion(_logger, _key.ToString(), version, (now > created ? now : created) + _policy.PrePublication);
                }
            }

            versions.Add(new KeyVersionInfo(version, attributes.CreatedTime, attributes.NotBeforeTime, attributes.ExpiresTime,
                Enabled: attributes.Enabled is not false, FirstSeen: _firstSeen.GetValueOrDefault(version, now)));
        }

        IReadOnlyList<RotationSlot> plan = _policy.Plan(versions, now);
        var entries = new List<Entry>();
        for (int i = 0; i < plan.Count; i++)
        {
            string version = plan[i].Key.Version;
            KeyVaultSigningKey key;
            try
            {
                key = _keys.TryGetValue(version, out KeyVaultSigningKey? known)
                    ? known
                    : KeyFor(version, (await _client.GetKeyAsync(_key.Name, version, cancellationToken).ConfigureAwait(false)).Value);
            }
            catch (KeyVaultSigningException unusable) when (!unusable.IsTransient && i < plan.Count - 1)
            {
                continue; // An older version this service cannot sign with (logged); the newer ones still work.
            }

            entries.Add(new Entry(key, plan[i]));
        }

        if (entries.Count == 0)
        {
            throw _errors.Invalid($"Key Vault key {_key} has no enabled, unexpired version.");
        }

        return new Snapshot(entries, _policy);
    }

    private KeyVaultSigningKey KeyFor(string version, KeyVaultKey bundle)
    {
        if (_keys.TryGetValue(version, out KeyVaultSigningKey? known))
        {
            return known;
        }

        KeyVaultSigningKey key = KeyVaultSigningKey.Create(
            _client, _errors, _key.Name, version, bundle.Key ?? throw _errors.Invalid($"Key Vault returned version {version} without its public key."), _rsaAlgorithm);
        _keys[version] = key;
        return key;
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    public void Dispose()
    {
        // The lock and the token source are not disposed: a background refresh may still hold them and they own no
        // unmanaged state that needs it (no wait handle is ever requested).
        _disposed.Cancel();
    }

    /// <summary>One key version as last read: its signing key and its place in the rotation.</summary>
    internal sealed record Entry(KeyVaultSigningKey Key, RotationSlot Slot);

    /// <summary>The key versions as last read, oldest first; signer and JWKS are derived from it at a point in time.</summary>
    internal sealed class Snapshot(IReadOnlyList<Entry> entries, RotationPolicy policy)
    {
        public IReadOnlyList<Entry> Entries => entries;

        public KeyVaultSigningKey? SignerAt(DateTimeOffset now) => RotationPolicy.SignerAt(entries, e => e.Slot, now)?.Key;

        public IReadOnlyList<PublicJsonWebKey> PublishedAt(DateTimeOffset now) =>
            [.. policy.PublishedAt(entries, e => e.Slot, now).Select(e => e.Key.PublicKey)];
    }

    [LoggerMessage(EventId = 4110, Level = LogLevel.Information, Message = "Signing access tokens with Key Vault key {Key}, version {Version} ({Algorithm})")]
    private static partial void LogSigner(ILogger logger, string key, string version, string algorithm);

    [LoggerMessage(EventId = 4112, Level = LogLevel.Error, Message = "Refreshing Key Vault key {Key} failed; signing goes on with the versions already known")]
    private static partial void LogRefreshFailed(ILogger logger, string key, Exception exception);

    [LoggerMessage(EventId = 4111, Level = LogLevel.Information,
        Message = "Key Vault key {Key} has a new version {Version}: published in JWKS now, signs from {SignsFrom:O}")]
    private static partial void LogNewVersion(ILogger logger, string key, string version, DateTimeOffset signsFrom);
}
