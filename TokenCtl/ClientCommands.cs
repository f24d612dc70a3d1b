using TokenFunction.Clients;
using TokenFunction.Hosting;
using TokenFunction.Protocol;
using TokenFunction.Storage;

namespace TokenCtl;

/// <summary><c>tokenctl client add</c>: registers a client.</summary>
public static class ClientCommands
{
    public static IReadOnlySet<string> Flags { get; } = new HashSet<string>(StringComparer.Ordinal) { "--public", "--generate-secret", "--allow-plain-pkce", "--replace", "--no-refresh-token" };

    public static async Task<int> AddAsync(Arguments args, ClientStore clients, TextWriter output, CancellationToken cancellationToken)
    {
        var id = args.Required("--id");
        var secret = args.Optional("--secret");
        var isPublic = args.Flag("--public");
        var generate = args.Flag("--generate-secret");
        var redirectUris = args.All("--redirect-uri");
        var scopes = (args.Optional("--scope") ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var allowPlain = args.Flag("--allow-plain-pkce");
        var replace = args.Flag("--replace");
        var noRefreshToken = args.Flag("--no-refresh-token");
        var refreshIdle = args.OptionalInt("--refresh-idle-lifetime");
        var refreshAbsolute = args.OptionalInt("--refresh-absolute-lifetime");
        args.EnsureAllUsed();

        foreach (var (name, value) in new[] { ("--refresh-idle-lifetime", refreshIdle), ("--refresh-absolute-lifetime", refreshAbsolute) })
        {
            if (value is < TokenOptionsValidator.MinRefreshLifetimeSeconds or > TokenOptionsValidator.MaxRefreshLifetimeSeconds)
            {
                throw new UsageException($"{name} must be {TokenOptionsValidator.MinRefreshLifetimeSeconds} to {TokenOptionsValidator.MaxRefreshLifetimeSeconds} seconds");
            }

            if (value is not null && noRefreshToken)
            {
                throw new UsageException($"{name} makes no sense with --no-refresh-token");
            }
        }

        if (!OAuthClient.IsValidId(id))
        {
            throw new UsageException($"--id must be 1 to {OAuthClient.MaxIdLength} characters of A-Z a-z 0-9 - . _ ~");
        }

        if ((secret is not null ? 1 : 0) + (isPublic ? 1 : 0) + (generate ? 1 : 0) != 1)
        {
            throw new UsageException("give exactly one of --secret S, --generate-secret or --public");
        }

        if (secret is not null && secret.Length < ClientSecretHasher.MinSecretLength)
        {
            throw new UsageException($"--secret must be at least {ClientSecretHasher.MinSecretLength} characters; --generate-secret makes one");
        }

        if (redirectUris.Count == 0)
        {
            throw new UsageException("at least one --redirect-uri is required");
        }

        foreach (var uri in redirectUris)
        {
            if (!Uri.TryCreate(uri, UriKind.Absolute, out var parsed) || !string.IsNullOrEmpty(parsed.Fragment))
            {
                throw new UsageException($"--redirect-uri '{uri}' must be an absolute URI without a fragment");
            }
        }

        if (scopes.FirstOrDefault(s => !s.All(c => c != '"' && c != '\\' && c is >= '\x21' and <= '\x7E')) is { } badScope)
        {
            throw new UsageException($"scope '{badScope}' has characters RFC 6749 section 3.3 does not allow");
        }

        if (generate)
        {
            secret = ClientSecretHasher.GenerateSecret();
        }

        var client = new OAuthClient
        {
            ClientId = id,
            SecretHash = secret is null ? null : ClientSecretHasher.Hash(secret),
            RedirectUris = redirectUris,
            AllowedScopes = scopes.ToHashSet(StringComparer.Ordinal),
            AllowedGrantTypes = noRefreshToken
                ? new HashSet<string>(StringComparer.Ordinal) { GrantTypeNames.AuthorizationCode }
                : new HashSet<string>(StringComparer.Ordinal) { GrantTypeNames.AuthorizationCode, GrantTypeNames.RefreshToken },
            AllowPlainPkce = allowPlain,
            RefreshIdleLifetimeSeconds = refreshIdle,
            RefreshAbsoluteLifetimeSeconds = refreshAbsolute,
        };
        if (!await clients.SaveAsync(client, replace, cancellationToken).ConfigureAwait(false))
        {
            throw new UsageException($"client '{id}' already exists; add --replace to overwrite it");
        }

        if (generate)
        {
            // Printed once, here; only its hash is stored.
            await output.WriteLineAsync(secret).ConfigureAwait(false);
        }

        return 0;
    }
}
