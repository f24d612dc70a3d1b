using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using TokenFunction.Clients;
using TokenFunction.Clients.Assertions;
using TokenFunction.Endpoints;
using TokenFunction.Functions;
using TokenFunction.Grants;
using TokenFunction.Signing;
using TokenFunction.Storage;
using TokenFunction.Settings;
using TokenFunction.Telemetry;

namespace TokenFunction.Hosting;

/// <summary>The service's composition, shared by the Functions host, the local Kestrel host and tokenctl.</summary>
public static class ServiceCollectionExtensions
{
    /// <summary>The longest one try of a storage request may take; a point read or write normally takes milliseconds.</summary>
    private static readonly TimeSpan s_tableNetworkTimeout = TimeSpan.FromSeconds(4);

    /// <summary>Storage only: what tokenctl's client and code commands need.</summary>
    public static IServiceCollection AddTokenStorage(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<AuditLog>();
        services.AddOptions<TablesOptions>().Bind(configuration.GetSection(TablesOptions.SectionName)).ValidateOnStart();
        services.AddOptions<IdentityOptions>().Bind(configuration.GetSection(IdentityOptions.SectionName));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TablesOptions>, TablesOptionsValidator>());

        services.TryAddSingleton<TokenCredential>(provider => new DefaultAzureCredential(new DefaultAzureCredentialOptions
        {
            ManagedIdentityClientId = provider.GetRequiredService<IOptions<IdentityOptions>>().Value.ManagedIdentityClientId,
        }));
        services.TryAddSingleton(provider =>
        {
            var options = provider.GetRequiredService<IOptions<TablesOptions>>().Value;
            var clientOptions = new TableClientOptions();
            // Per call, so a call's time includes its retries.
            clientOptions.AddPolicy(new StorageDurationPolicy(), HttpPipelinePosition.PerCall);
            clientOptions.Retry.NetworkTimeout = s_tableNetworkTimeout;
            // Bounded by the request's StorageBudget inside token and revocation requests; tokenctl and the purge run unbounded.
            clientOptions.RetryPolicy = new StorageBudgetRetryPolicy(
                maxRetries: 3,
                DelayStrategy.CreateExponentialDelayStrategy(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1)),
                s_tableNetworkTimeout);
            return options.ServiceUri is { } uri
                ? new TableServiceClient(uri, provider.GetRequiredService<TokenCredential>(), clientOptions)
                : new TableServiceClient(options.ConnectionString ?? TablesOptions.DevelopmentStorage, clientOptions);
        });
        services.TryAddSingleton(provider => new TokenTables(
            provider.GetRequiredService<TableServiceClient>(),
            provider.GetRequiredService<IOptions<TablesOptions>>().Value.CreateTablesIfMissing));
        // The Table stores behind the ports the grants and the clients depend on.
        services.TryAddSingleton<ClientStore>();
        services.TryAddSingleton<IClientLookup>(provider => provider.GetRequiredService<ClientStore>());
        services.TryAddSingleton<IClientRegistry>(provider => provider.GetRequiredService<ClientStore>());
        services.TryAddSingleton<AuthorizationCodeStore>();
        services.TryAddSingleton<ICodeRedemptionStore>(provider => provider.GetRequiredService<AuthorizationCodeStore>());
        services.TryAddSingleton<IGrantRevocationStore>(provider => provider.GetRequiredService<AuthorizationCodeStore>());
        services.TryAddSingleton<IAuthorizationCodeIssuer>(provider => provider.GetRequiredService<AuthorizationCodeStore>());
        services.TryAddSingleton<RefreshTokenStore>();
        services.TryAddSingleton<IRefreshRotationStore>(provider => provider.GetRequiredService<RefreshTokenStore>());
        services.TryAddSingleton<ClientAssertionReplayStore>();
        services.TryAddSingleton<IAssertionReplayStore>(provider => provider.GetRequiredService<ClientAssertionReplayStore>());
        services.TryAddSingleton<DpopProofReplayStore>();
        services.TryAddSingleton<IDpopProofReplayStore>(provider => provider.GetRequiredService<DpopProofReplayStore>());
        services.TryAddSingleton<GrantMaintenance>();
        return services;
    }

    /// <summary>The <c>ClientJwks__*</c> settings, validated: the fetcher's, and tokenctl's rules for a jwks_uri.</summary>
    public static IServiceCollection AddClientJwksOptions(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ClientJwksOptions>().Bind(configuration.GetSection(ClientJwksOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ClientJwksOptions>, ClientJwksOptionsValidator>());
        return services;
    }

    /// <summary>Everything the token service runs on: storage, signing, grants and endpoints.</summary>
    public static IServiceCollection AddTokenService(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddTokenStorage(configuration);
        services.AddTokenServiceLogFilters();
        services.AddOptions<TokenOptions>().Bind(configuration.GetSection(TokenOptions.SectionName)).ValidateOnStart();
        services.AddOptions<EndpointUrls>().Configure<IOptions<TokenOptions>>((urls, token) =>
        {
            var issuer = token.Value.Issuer ?? string.Empty;
            urls.TokenEndpoint = Routes.Absolute(issuer, Routes.Token);
            urls.RevocationEndpoint = Routes.Absolute(issuer, Routes.Revocation);
            urls.JwksUri = Routes.Absolute(issuer, Routes.Jwks);
        });
        services.AddOptions<SigningOptions>().Bind(configuration.GetSection(SigningOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TokenOptions>, TokenOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SigningOptions>, SigningOptionsValidator>());

        services.TryAddSingleton<ISigningKeyProvider, LocalSigningKeyProvider>();
        if (!string.IsNullOrWhiteSpace(configuration.GetSection(SigningOptions.SectionName)[nameof(SigningOptions.KeyVaultKeyId)]))
        {
            // Replaces the local signer: the private key stays in the vault.
            services.AddKeyVaultSigning();
        }

        services.TryAddSingleton<AccessTokenFactory>();

        services.AddClientRegistrationCache(configuration);

        services.TryAddSingleton<ClientKeys>();
        services.TryAddSingleton<ClientAssertionValidator>();
        services.TryAddSingleton<ClientAuthenticator>();
        services.AddClientJwksOptions(configuration);
        services.TryAddSingleton<ClientJwksFetcher>();
        services.AddOptions<CorsOptions>().Bind(configuration.GetSection(CorsOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CorsOptions>, CorsOptionsValidator>());
        services.TryAddSingleton<RefreshTokenPolicy>();
        services.TryAddSingleton<RefreshTokenRevocation>();

        // The grants the token endpoint serves (and the metadata lists): one line each.
        services.AddGrant<AuthorizationCodeGrantHandler>();
        services.AddGrant<RefreshTokenGrantHandler>();
        services.AddGrant<ClientCredentialsGrantHandler>();
        services.TryAddSingleton<GrantHandlers>();

        services.AddOptions<ThrottlingOptions>().Bind(configuration.GetSection(ThrottlingOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ThrottlingOptions>, ThrottlingOptionsValidator>());
        services.TryAddSingleton<FailedAuthenticationThrottle>();
        services.AddOptions<DpopOptions>().Bind(configuration.GetSection(DpopOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DpopOptions>, DpopOptionsValidator>());
        services.TryAddSingleton<DpopNonces>();
        services.TryAddSingleton<DpopProofCheck>();
        services.TryAddSingleton<FormRequest>();
        services.TryAddSingleton<TokenEndpoint>();
        services.TryAddSingleton<RevocationEndpoint>();
        services.TryAddSingleton<JwksEndpoint>();
        services.TryAddSingleton<MetadataEndpoint>();
        return services;
    }

    /// <summary>
    /// The token service reads registrations through <see cref="CachingClientLookup"/> (bounded staleness,
    /// <c>Clients__CacheSeconds</c>), wrapping whatever lookup is registered; tokenctl (storage alone) reads the table.
    /// </summary>
    private static void AddClientRegistrationCache(this IServiceCollection services, IConfiguration configuration)
    {
        if (services.Any(d => d.ServiceType == typeof(IValidateOptions<ClientsOptions>)))
        {
            return; // Already wrapped: a second cache in front of the first would double the bound.
        }

        services.AddOptions<ClientsOptions>().Bind(configuration.GetSection(ClientsOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ClientsOptions>, ClientsOptionsValidator>();
        var stored = services.Last(d => d.ServiceType == typeof(IClientLookup));
        services.Remove(stored);
        services.AddSingleton<IClientLookup>(provider =>
        {
            var store = (IClientLookup)(stored.ImplementationInstance
                ?? stored.ImplementationFactory?.Invoke(provider)
                ?? ActivatorUtilities.CreateInstance(provider, stored.ImplementationType!));
            var seconds = provider.GetRequiredService<IOptions<ClientsOptions>>().Value.CacheSeconds;
            return seconds == 0
                ? store
                : new CachingClientLookup(store, provider.GetRequiredService<TimeProvider>(), TimeSpan.FromSeconds(seconds));
        });
    }

    /// <summary>Serves a grant type at the token endpoint (its <see cref="IGrantHandler.GrantType"/>) and lists it in the metadata.</summary>
    public static IServiceCollection AddGrant<THandler>(this IServiceCollection services)
        where THandler : class, IGrantHandler
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IGrantHandler, THandler>());
        return services;
    }
}
