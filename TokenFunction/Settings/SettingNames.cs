namespace TokenFunction.Settings;

/// <summary>
/// The app-setting names the service reads, derived from the options classes so that they are written once.
/// <c>Section__Property</c> is how a setting reaches <c>Section:Property</c> through environment variables.
/// </summary>
public static class SettingNames
{
    public const string Separator = "__";

    /// <summary>OpenTelemetry's standard variables (not options: the SDK reads them, with the rest of OTEL_*).</summary>
    public const string OtlpEndpoint = "OTEL_EXPORTER_OTLP_ENDPOINT";

    public const string OtelServiceName = "OTEL_SERVICE_NAME";

    /// <summary>Where the Azure Monitor exporter sends (not a secret: Entra authentication, no instrumentation key in use).</summary>
    public const string ApplicationInsightsConnectionString = "APPLICATIONINSIGHTS_CONNECTION_STRING";

    public static readonly string TokenIssuer = Of(TokenOptions.SectionName, nameof(TokenOptions.Issuer));
    public static readonly string TokenAudience = Of(TokenOptions.SectionName, nameof(TokenOptions.Audience));
    public static readonly string TokenAuthorizationEndpoint = Of(TokenOptions.SectionName, nameof(TokenOptions.AuthorizationEndpoint));
    public static readonly string TokenAccessTokenLifetimeSeconds = Of(TokenOptions.SectionName, nameof(TokenOptions.AccessTokenLifetimeSeconds));
    public static readonly string TokenRefreshTokenIdleLifetimeSeconds = Of(TokenOptions.SectionName, nameof(TokenOptions.RefreshTokenIdleLifetimeSeconds));
    public static readonly string TokenRefreshTokenAbsoluteLifetimeSeconds = Of(TokenOptions.SectionName, nameof(TokenOptions.RefreshTokenAbsoluteLifetimeSeconds));
    public static readonly string TokenRefreshReuseGraceSeconds = Of(TokenOptions.SectionName, nameof(TokenOptions.RefreshReuseGraceSeconds));
    public static readonly string TokenCodeRetryGraceSeconds = Of(TokenOptions.SectionName, nameof(TokenOptions.CodeRetryGraceSeconds));
    public static readonly string TokenStorageBudgetSeconds = Of(TokenOptions.SectionName, nameof(TokenOptions.StorageBudgetSeconds));
    public static readonly string TablesConnectionString = Of(TablesOptions.SectionName, nameof(TablesOptions.ConnectionString));
    public static readonly string TablesServiceUri = Of(TablesOptions.SectionName, nameof(TablesOptions.ServiceUri));
    public static readonly string TablesCreateTablesIfMissing = Of(TablesOptions.SectionName, nameof(TablesOptions.CreateTablesIfMissing));
    public static readonly string IdentityManagedIdentityClientId = Of(IdentityOptions.SectionName, nameof(IdentityOptions.ManagedIdentityClientId));
    public static readonly string SigningKeyVaultKeyId = Of(SigningOptions.SectionName, nameof(SigningOptions.KeyVaultKeyId));
    public static readonly string SigningLocalKeyPath = Of(SigningOptions.SectionName, nameof(SigningOptions.LocalKeyPath));
    public static readonly string ClientJwksFetchTimeoutSeconds = Of(ClientJwksOptions.SectionName, nameof(ClientJwksOptions.FetchTimeoutSeconds));
    public static readonly string ClientJwksMaxResponseBytes = Of(ClientJwksOptions.SectionName, nameof(ClientJwksOptions.MaxResponseBytes));
    public static readonly string ClientJwksCacheSeconds = Of(ClientJwksOptions.SectionName, nameof(ClientJwksOptions.CacheSeconds));
    public static readonly string ClientJwksMinRefetchSeconds = Of(ClientJwksOptions.SectionName, nameof(ClientJwksOptions.MinRefetchSeconds));
    public static readonly string ClientJwksStaleSeconds = Of(ClientJwksOptions.SectionName, nameof(ClientJwksOptions.StaleSeconds));
    public static readonly string ThrottlingMaxFailedAuthentications = Of(ThrottlingOptions.SectionName, nameof(ThrottlingOptions.MaxFailedAuthentications));
    public static readonly string ThrottlingWindowSeconds = Of(ThrottlingOptions.SectionName, nameof(ThrottlingOptions.WindowSeconds));
    public static readonly string ClientJwksAllowLoopback = Of(ClientJwksOptions.SectionName, nameof(ClientJwksOptions.AllowLoopback));
    public static readonly string ClientsCacheSeconds = Of(ClientsOptions.SectionName, nameof(ClientsOptions.CacheSeconds));
    public static readonly string CorsAllowedOrigins = Of(CorsOptions.SectionName, nameof(CorsOptions.AllowedOrigins));
    public static readonly string DpopSigningAlgorithms = Of(DpopOptions.SectionName, nameof(DpopOptions.SigningAlgorithms));
    public static readonly string DpopProofMaxAgeSeconds = Of(DpopOptions.SectionName, nameof(DpopOptions.ProofMaxAgeSeconds));
    public static readonly string DpopClockSkewSeconds = Of(DpopOptions.SectionName, nameof(DpopOptions.ClockSkewSeconds));
    public static readonly string DpopRequireNonce = Of(DpopOptions.SectionName, nameof(DpopOptions.RequireNonce));
    public static readonly string DpopNonceKey = Of(DpopOptions.SectionName, nameof(DpopOptions.NonceKey));

    /// <summary>The settings a deployment to Azure must set: without them the app refuses to start there.</summary>
    public static IReadOnlyList<string> RequiredInAzure { get; } =
        [TokenIssuer, TokenAudience, TablesServiceUri, SigningKeyVaultKeyId];

    /// <summary>Every setting of every options class, for checks that a deployment names only settings that exist.</summary>
    public static IReadOnlyList<string> All { get; } =
        [.. Enumerate<TokenOptions>(TokenOptions.SectionName), .. Enumerate<TablesOptions>(TablesOptions.SectionName),
         .. Enumerate<IdentityOptions>(IdentityOptions.SectionName), .. Enumerate<SigningOptions>(SigningOptions.SectionName),
         .. Enumerate<ClientJwksOptions>(ClientJwksOptions.SectionName), .. Enumerate<ThrottlingOptions>(ThrottlingOptions.SectionName),
         .. Enumerate<ClientsOptions>(ClientsOptions.SectionName),
         .. Enumerate<CorsOptions>(CorsOptions.SectionName), .. Enumerate<DpopOptions>(DpopOptions.SectionName)];

    public static string Of(string section, string property) => section + Separator + property;

    /// <summary>The configuration key of a setting (<c>Section:Property</c>), for in-memory configuration.</summary>
    public static string ConfigurationKey(string settingName) =>
        settingName.Replace(Separator, Microsoft.Extensions.Configuration.ConfigurationPath.KeyDelimiter, StringComparison.Ordinal);

    private static IEnumerable<string> Enumerate<T>(string section) =>
        typeof(T).GetProperties().Where(p => p.CanWrite).Select(p => Of(section, p.Name));
}
