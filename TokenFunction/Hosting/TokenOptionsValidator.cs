using Microsoft.Extensions.Options;
using TokenFunction.Settings;

namespace TokenFunction.Hosting;

/// <summary>Refuses to start with token settings that would issue tokens nobody can trust.</summary>
public sealed class TokenOptionsValidator : IValidateOptions<TokenOptions>
{
    public const int MinLifetimeSeconds = 60;
    public const int MaxLifetimeSeconds = 86_400;
    public const int MinRefreshLifetimeSeconds = TokenOptions.MinRefreshLifetimeSeconds;
    public const int MaxRefreshLifetimeSeconds = TokenOptions.MaxRefreshLifetimeSeconds;
    public const int MaxRefreshReuseGraceSeconds = 300;
    public const int MaxCodeRetryGraceSeconds = 300;
    public const int MaxStorageBudgetSeconds = 60;

    public ValidateOptionsResult Validate(string? name, TokenOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Issuer))
        {
            failures.Add($"Set {SettingNames.TokenIssuer} to the issuer URL that clients and resource servers trust, e.g. https://login.example.com.");
        }
        else if (!Uri.TryCreate(options.Issuer, UriKind.Absolute, out var issuer)
                 || !(issuer.Scheme == Uri.UriSchemeHttps || (issuer.Scheme == Uri.UriSchemeHttp && issuer.IsLoopback))
                 || !string.IsNullOrEmpty(issuer.Query) || !string.IsNullOrEmpty(issuer.Fragment))
        {
            failures.Add($"{SettingNames.TokenIssuer} must be an https URL without query or fragment (http only for localhost); it is '{options.Issuer}'.");
        }

        if (options.AuthorizationEndpoint is { } authorize
            && (!authorize.IsAbsoluteUri || !(authorize.Scheme == Uri.UriSchemeHttps || (authorize.Scheme == Uri.UriSchemeHttp && authorize.IsLoopback))
                || !string.IsNullOrEmpty(authorize.Fragment)))
        {
            failures.Add($"{SettingNames.TokenAuthorizationEndpoint} must be an https URL without fragment (http only for localhost); it is '{authorize}'.");
        }

        if (string.IsNullOrWhiteSpace(options.Audience))
        {
            failures.Add($"Set {SettingNames.TokenAudience} to the resource server the access tokens are for, e.g. https://api.example.com.");
        }

        if (options.AccessTokenLifetimeSeconds is < MinLifetimeSeconds or > MaxLifetimeSeconds)
        {
            failures.Add($"{SettingNames.TokenAccessTokenLifetimeSeconds} must be between {MinLifetimeSeconds} and {MaxLifetimeSeconds}; it is {options.AccessTokenLifetimeSeconds}.");
        }

        if (options.RefreshTokenIdleLifetimeSeconds is < MinRefreshLifetimeSeconds or > MaxRefreshLifetimeSeconds)
        {
            failures.Add($"{SettingNames.TokenRefreshTokenIdleLifetimeSeconds} must be between {MinRefreshLifetimeSeconds} and {MaxRefreshLifetimeSeconds}; it is {options.RefreshTokenIdleLifetimeSeconds}.");
        }

        if (options.RefreshTokenAbsoluteLifetimeSeconds is < MinRefreshLifetimeSeconds or > MaxRefreshLifetimeSeconds)
        {
            failures.Add($"{SettingNames.TokenRefreshTokenAbsoluteLifetimeSeconds} must be between {MinRefreshLifetimeSeconds} and {MaxRefreshLifetimeSeconds}; it is {options.RefreshTokenAbsoluteLifetimeSeconds}.");
        }

        if (options.RefreshReuseGraceSeconds is < 0 or > MaxRefreshReuseGraceSeconds)
        {
            failures.Add($"{SettingNames.TokenRefreshReuseGraceSeconds} must be between 0 and {MaxRefreshReuseGraceSeconds}; it is {options.RefreshReuseGraceSeconds}.");
        }

        if (options.CodeRetryGraceSeconds is < 0 or > MaxCodeRetryGraceSeconds)
        {
            failures.Add($"{SettingNames.TokenCodeRetryGraceSeconds} must be between 0 and {MaxCodeRetryGraceSeconds}; it is {options.CodeRetryGraceSeconds}.");
        }

        if (options.StorageBudgetSeconds is < 1 or > MaxStorageBudgetSeconds)
        {
            failures.Add($"{SettingNames.TokenStorageBudgetSeconds} must be between 1 and {MaxStorageBudgetSeconds}; it is {options.StorageBudgetSeconds}.");
        }

        // A 503 must come before a late commit could outlive the window in which the client's retry is recognised.
        var budget = options.StorageBudgetSeconds;
        foreach (var (setting, window) in new[] { (SettingNames.TokenRefreshReuseGraceSeconds, options.RefreshReuseGraceSeconds), (SettingNames.TokenCodeRetryGraceSeconds, options.CodeRetryGraceSeconds) })
        {
            if (window > 0 && window <= 2 * budget)
            {
                failures.Add($"{setting} ({window}) must be more than twice {SettingNames.TokenStorageBudgetSeconds} ({budget}), so that a client's retry after a 503 still falls in it; raise it, lower the budget, or set it to 0 to turn the retry off.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
