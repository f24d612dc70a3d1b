using Azure.Core;
using Azure.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using TokenFunction.Signing;
using TokenFunction.Signing.KeyVault;
using TokenFunction.Settings;

namespace TokenFunction.Hosting;

/// <summary>Registers signing in Key Vault.</summary>
public static class KeyVaultSigningServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="KeyVaultKeysClient"/> for the vault of <c>Signing__KeyVaultKeyId</c> and
    /// <see cref="KeyVaultSigningKeyProvider"/> as the <see cref="ISigningKeyProvider"/> (replacing one registered
    /// before), plus <see cref="SigningOptionsValidator"/>. Call it when <see cref="SigningOptions.KeyVaultKeyId"/> is set.
    /// The credential is a <see cref="TokenCredential"/> registered in the container, else a
    /// <see cref="DefaultAzureCredential"/> using <c>Identity__ManagedIdentityClientId</c>.
    /// </summary>
    public static IServiceCollection AddKeyVaultSigning(this IServiceCollection services) =>
        services.AddKeyVaultSigning(configureClient: null);

    /// <param name="services">The services.</param>
    /// <param name="configureClient">Adjusts the client options after they are built from <see cref="SigningOptions"/> (e.g. a test transport).</param>
    public static IServiceCollection AddKeyVaultSigning(this IServiceCollection services, Action<KeyVaultKeysClientOptions>? configureClient)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<SigningOptions>().BindConfiguration(SigningOptions.SectionName).ValidateOnStart();
        services.AddOptions<TokenOptions>().BindConfiguration(TokenOptions.SectionName);
        services.AddOptions<IdentityOptions>().BindConfiguration(IdentityOptions.SectionName);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SigningOptions>, SigningOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);

        services.TryAddSingleton(sp =>
        {
            SigningOptions signing = sp.GetRequiredService<IOptions<SigningOptions>>().Value;
            KeyVaultKeyIdentifier key = KeyVaultKeyIdentifier.Parse(signing.KeyVaultKeyId
                ?? throw new InvalidOperationException($"{SettingNames.SigningKeyVaultKeyId} is not set; AddKeyVaultSigning needs it."));
            var options = CreateClientOptions(signing);
            configureClient?.Invoke(options);
            TokenCredential credential = sp.GetService<TokenCredential>() ?? new DefaultAzureCredential(new DefaultAzureCredentialOptions
            {
                ManagedIdentityClientId = sp.GetRequiredService<IOptions<IdentityOptions>>().Value.ManagedIdentityClientId,
            });
            return new KeyVaultKeysClient(key.VaultUri, credential, options);
        });
        services.TryAddSingleton<KeyVaultSigningKeyProvider>();
        services.Replace(ServiceDescriptor.Singleton<ISigningKeyProvider>(sp => sp.GetRequiredService<KeyVaultSigningKeyProvider>()));
        return services;
    }

    /// <summary>
    /// Client options from the settings: per-try network timeout, retries with exponential back-off (0.2 s up to 2 s),
    /// and the longest Retry-After waited for. A call ends within about
    /// (MaxRetries + 1) x NetworkTimeout + MaxRetries x max(2 s, MaxRetryAfter).
    /// </summary>
    public static KeyVaultKeysClientOptions CreateClientOptions(SigningOptions signing)
    {
        ArgumentNullException.ThrowIfNull(signing);
        var options = new KeyVaultKeysClientOptions
        {
            MaxRetryAfter = TimeSpan.FromSeconds(Math.Max(0, signing.KeyVaultMaxRetryAfterSeconds)),
        };
        options.Retry.Mode = RetryMode.Exponential;
        options.Retry.MaxRetries = Math.Max(0, signing.KeyVaultMaxRetries);
        options.Retry.Delay = TimeSpan.FromMilliseconds(200);
        options.Retry.MaxDelay = TimeSpan.FromSeconds(2);
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(Math.Max(1, signing.KeyVaultNetworkTimeoutSeconds));
        return options;
    }
}
