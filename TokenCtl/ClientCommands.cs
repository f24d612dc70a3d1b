using TokenFunction.Clients;
using TokenFunction.Protocol;
using TokenFunction.Storage;
using TokenFunction.Settings;
using TokenFunction.Telemetry;

namespace TokenCtl;

/// <summary><c>tokenctl client add</c> and <c>client remove</c>: registers and removes clients.</summary>
public static class ClientCommands
{
    public static IReadOnlySet<string> Flags { get; } = new HashSet<string>(StringComparer.Ordinal) { "--public", "--generate-secret", "--allow-plain-pkce", "--replace", "--no-refresh-token", "--require-dpop" };

    /// <param name="jwksOptions">The <c>ClientJwks__*</c> settings: <see cref="ClientJwksOptions.AllowLoopback"/> decides whether a loopback jwks_uri may be registered.</param>
    public static async Task<int> AddAsync(Arguments args, IClientRegistry clients, ClientJwksOptions jwksOptions, AuditLog audit, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jwksOptions);
        var id = args.Required("--id");
        var secret = args.Optional("--secret");
        var isPublic = args.Flag("--public");
        var generate = args.Flag("--generate-secret");
        var jwksFile = args.Optional("--jwks");
        var jwksUriText = args.Optional("--jwks-uri");
        var redirectUris = args.All("--redirect-uri");
        var resources = args.All("--resource");
        var scopes = (args.Optional("--scope") ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var allowPlain = args.Flag("--allow-plain-pkce");
        var replace = args.Flag("--replace");
        var noRefreshToken = args.Flag("--no-refresh-token");
        var requireDpop = args.Flag("--require-dpop");
        var refreshIdle = args.OptionalInt("--refresh-idle-lifetime");
        var refreshAbsolute = args.OptionalInt("--refresh-absolute-lifetime");
        var grantNames = args.All("--grant");
        args.EnsureAllUsed();

        var grants = AllowedGrants(grantNames, noRefreshToken);
        foreach (var (name, value) in new[] { ("--refresh-idle-lifetime", refreshIdle), ("--refresh-absolute-lifetime", refreshAbsolute) })
        {
            if (value is not null && noRefreshToken)
            {
                throw new UsageException($"{name} makes no sense with --no-refresh-token");
            }
        }

        if ((secret is not null ? 1 : 0) + (isPublic ? 1 : 0) + (generate ? 1 : 0) + (jwksFile is not null ? 1 : 0) + (jwksUriText is not null ? 1 : 0) != 1)
        {
            throw new UsageException("give exactly one of --secret S, --generate-secret, --jwks FILE, --jwks-uri URI or --public");
        }

        var jwks = jwksFile is null ? null : await ReadJwksAsync(jwksFile, cancellationToken).ConfigureAwait(false);
        Uri? jwksUri = null;
        if (jwksUriText is not null && !Uri.TryCreate(jwksUriText, UriKind.Absolute, out jwksUri))
        {
            throw new UsageException($"--jwks-uri '{jwksUriText}' must be an absolute https URL");
        }

        if (generate)
        {
            secret = ClientSecretHasher.GenerateSecret();
        }

        var client = new OAuthClient
        {
            ClientId = id,
            SecretHash = secret is null ? null : ClientSecretHasher.Hash(secret),
            Jwks = jwks,
            JwksUri = jwksUri,
            RedirectUris = redirectUris,
            AllowedScopes = scopes.ToHashSet(StringComparer.Ordinal),
            AllowedGrantTypes = grants,
            AllowedResources = resources.ToHashSet(StringComparer.Ordinal),
            AllowPlainPkce = allowPlain,
            RefreshIdleLifetimeSeconds = refreshIdle,
            RefreshAbsoluteLifetimeSeconds = refreshAbsolute,
            RequireDpop = requireDpop,
        };

        // The registration rules are the domain's; only their wording (in tokenctl's options) is this command's.
        if (ClientRegistrationRules.Check(client, generate ? null : secret, jwksOptions.AllowLoopback) is [var problem, ..])
        {
            throw Refusal(problem, jwksFile, jwksUriText);
        }

        if (!await clients.SaveAsync(client, replace, cancellationToken).ConfigureAwait(false))
        {
            throw new UsageException($"client '{id}' already exists; add --replace to overwrite it");
        }

        audit.ClientRegistered(id, replace);

        if (generate)
        {
            // Printed once, here; only its hash is stored.
            await output.WriteLineAsync(secret).ConfigureAwait(false);
        }

        return 0;
    }

    /// <summary>
    /// Removes a client and revokes its grants, so its refresh tokens stop at once (they would anyway: the client can
    /// no longer authenticate) and the purge deletes the grants within the hour instead of at their expiry.
    /// </summary>
    public static async Task<int> RemoveAsync(Arguments args, IClientRegistry clients, GrantMaintenance maintenance, AuditLog audit, TextWriter output, CancellationToken cancellationToken)
    {
        var id = args.Required("--id");
        args.EnsureAllUsed();
        if (!OAuthClient.IsValidId(id))
        {
            throw new UsageException($"--id must be {OAuthClient.IdRule}");
        }

        // Registration first: once it is gone no new grant can be made for the client, so the revocation misses none.
        var removed = await clients.RemoveAsync(id, cancellationToken).ConfigureAwait(false);
        var report = await maintenance.RevokeAllAsync(GrantIndexKeys.ByClient(id), cancellationToken).ConfigureAwait(false);
        if (!removed && report.Revoked == 0 && report.Skipped == 0)
        {
            throw new UsageException($"no client '{id}'");
        }

        audit.ClientRemoved(id, report.Revoked);

        await output.WriteLineAsync($"removed client '{id}'; revoked {report.Revoked} grant(s); skipped {report.Skipped} unreadable grant row(s)").ConfigureAwait(false);
        return 0;
    }

    /// <summary>Reads the client's public keys (the registration rules check them).</summary>
    private static async Task<string> ReadJwksAsync(string path, CancellationToken cancellationToken)
    {
        string json;
        try
        {
            json = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"--jwks '{path}' cannot be read: {e.Message}");
        }

        return json;
    }

    /// <summary>
    /// Without <c>--grant</c>: authorization_code and refresh_token (authorization_code alone with
    /// <c>--no-refresh-token</c>). With it: exactly the grants listed (the registration rules judge them).
    /// </summary>
    private static HashSet<string> AllowedGrants(IReadOnlyList<string> names, bool noRefreshToken)
    {
        if (names.Count == 0)
        {
            return noRefreshToken
                ? new HashSet<string>(StringComparer.Ordinal) { GrantTypeNames.AuthorizationCode }
                : new HashSet<string>(StringComparer.Ordinal) { GrantTypeNames.AuthorizationCode, GrantTypeNames.RefreshToken };
        }

        if (noRefreshToken)
        {
            throw new UsageException("--no-refresh-token makes no sense with --grant: list exactly the grants the client may use");
        }

        return names.ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>A broken registration rule in tokenctl's words: its options, one line.</summary>
    private static UsageException Refusal(RegistrationProblem problem, string? jwksPath, string? jwksUriText) => new(problem.Rule switch
    {
        RegistrationRule.ClientId => $"--id must be {OAuthClient.IdRule}",
        RegistrationRule.OneCredential => "give exactly one of --secret S, --generate-secret, --jwks FILE, --jwks-uri URI or --public",
        RegistrationRule.WeakSecret => $"--secret {problem.Reason}; --generate-secret makes a 256-bit one",
        RegistrationRule.InlineJwksTooLong => $"--jwks '{jwksPath}' is longer than {OAuthClient.MaxInlineJwksLength} characters; publish it and use --jwks-uri",
        RegistrationRule.InlineJwksUnusable => $"--jwks '{jwksPath}': {problem.Reason}",
        RegistrationRule.JwksUri => $"--jwks-uri '{jwksUriText}': {problem.Reason}",
        RegistrationRule.UnknownGrantType => $"unknown --grant '{problem.Value}'; the grants are {string.Join(", ", GrantTypeNames.All)}",
        RegistrationRule.RefreshTokenNeedsAuthorizationCode =>
            $"--grant {GrantTypeNames.RefreshToken} needs --grant {GrantTypeNames.AuthorizationCode}: refresh tokens are issued by code exchanges",
        RegistrationRule.ClientCredentialsNeedConfidentialClient =>
            $"a public client cannot use the {GrantTypeNames.ClientCredentials} grant; give --secret S or --generate-secret",
        RegistrationRule.RedirectUriRequired => $"at least one --redirect-uri is required for the {GrantTypeNames.AuthorizationCode} grant",
        RegistrationRule.RedirectUriWithoutAuthorizationCode => $"--redirect-uri makes no sense without --grant {GrantTypeNames.AuthorizationCode}",
        RegistrationRule.PlainPkceWithoutAuthorizationCode => $"--allow-plain-pkce makes no sense without --grant {GrantTypeNames.AuthorizationCode}",
        RegistrationRule.RedirectUri => $"--redirect-uri '{problem.Value}' must be an absolute URI without a fragment",
        RegistrationRule.Resource => $"--resource '{problem.Value}' must be an absolute URI without a fragment",
        RegistrationRule.Scope => $"scope '{problem.Value}' has characters RFC 6749 section 3.3 does not allow",
        RegistrationRule.RefreshLifetime => $"{LifetimeOption(problem.Field)} must be {TokenOptions.MinRefreshLifetimeSeconds} to {TokenOptions.MaxRefreshLifetimeSeconds} seconds",
        RegistrationRule.RefreshLifetimeWithoutRefreshToken => $"{LifetimeOption(problem.Field)} makes no sense without --grant {GrantTypeNames.RefreshToken}",
        _ => $"the registration breaks a rule ({problem.Field}: {problem.Reason})",
    });

    private static string LifetimeOption(string field) => field == "refresh_idle_lifetime" ? "--refresh-idle-lifetime" : "--refresh-absolute-lifetime";
}
