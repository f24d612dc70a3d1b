using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TokenFunction.Settings;

namespace TokenFunction.Signing;

/// <summary>
/// The development signer: one key from a PEM file, generated on the first local run. Production signs in
/// Key Vault, where the private key never leaves the vault.
/// </summary>
public sealed partial class LocalSigningKeyProvider : ISigningKeyProvider, IDisposable
{
    private readonly Lazy<LocalSigningKey> _key;

    public LocalSigningKeyProvider(IOptions<SigningOptions> options, ILogger<LocalSigningKeyProvider> logger)
    {
        var settings = options.Value;
        // PublicationOnly does not cache a failure: a key file fixed after a fault is picked up without a restart.
        _key = new Lazy<LocalSigningKey>(() => Load(settings, logger), LazyThreadSafetyMode.PublicationOnly);
    }

    public ValueTask<ISigningKey> GetSigningKeyAsync(CancellationToken cancellationToken) => ValueTask.FromResult<ISigningKey>(_key.Value);

    public ValueTask<IReadOnlyList<PublicJsonWebKey>> GetPublicKeysAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<PublicJsonWebKey>>([_key.Value.PublicKey]);

    public void Dispose()
    {
        if (_key.IsValueCreated)
        {
            _key.Value.Dispose();
        }
    }

    private static LocalSigningKey Load(SigningOptions settings, ILogger logger)
    {
        var path = Path.GetFullPath(settings.LocalKeyPath);
        if (!File.Exists(path))
        {
            if (!settings.GenerateLocalKeyIfMissing)
            {
                throw new InvalidOperationException(
                    $"The local signing key {path} does not exist. Set {SettingNames.SigningLocalKeyPath} to a PEM file, or {SettingNames.Of(SigningOptions.SectionName, nameof(SigningOptions.GenerateLocalKeyIfMissing))}=true.");
            }

            Generate(path, settings.LocalKeyAlgorithm);
            LogGenerated(logger, path, settings.LocalKeyAlgorithm);
        }

        return LocalSigningKey.FromPem(File.ReadAllText(path));
    }

    private static void Generate(string path, string algorithm)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        var createOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            createOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var writer = new StreamWriter(temporary, System.Text.Encoding.ASCII, createOptions))
        {
            writer.Write(LocalSigningKey.GeneratePem(algorithm));
        }

        try
        {
            // Another process (func start and tokenctl side by side) may have won the race: keep its key.
            File.Move(temporary, path, overwrite: false);
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(temporary);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Generated a local {Algorithm} signing key at {Path}; for development only.")]
    private static partial void LogGenerated(ILogger logger, string path, string algorithm);
}
