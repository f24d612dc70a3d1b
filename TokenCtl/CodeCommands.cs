using TokenFunction.Clients;
using TokenFunction.Grants;
using TokenFunction.Protocol;

namespace TokenCtl;

/// <summary><c>tokenctl code issue</c>: does what the authorize step does and prints only the code (with <c>--count N</c>,
/// N codes with the same parameters, one per line, for load tests).</summary>
public static class CodeCommands
{
    public const int DefaultLifetimeSeconds = 60;
    public const int MaxLifetimeSeconds = 600;
    public const int MaxCount = 100_000;

    /// <summary>Codes written at once with <c>--count</c>: each code is four storage writes, so a few in flight fill the wait.</summary>
    private const int IssueConcurrency = 8;

    public static IReadOnlySet<string> Flags { get; } = new HashSet<string>(StringComparer.Ordinal);

    public static async Task<int> IssueAsync(Arguments args, IClientLookup clients, IAuthorizationCodeIssuer codes, TextWriter output, CancellationToken cancellationToken)
    {
        var clientId = args.Required("--client");
        var redirectUri = args.Required("--redirect-uri");
        var challenge = args.Optional("--code-challenge");
        var method = args.Optional("--code-challenge-method") ?? Pkce.S256;
        var subject = args.Required("--subject");
        var scope = args.Optional("--scope");
        var resources = args.All("--resource").Distinct(StringComparer.Ordinal).ToList();
        var lifetime = args.OptionalInt("--lifetime") ?? DefaultLifetimeSeconds;
        var count = args.OptionalInt("--count") ?? 1;
        var dpopJkt = args.Optional("--dpop-jkt");
        args.EnsureAllUsed();
        if (count is < 1 or > MaxCount)
        {
            throw new UsageException($"--count must be 1 to {MaxCount}");
        }

        ResourceOptions.Validate(resources);

        // RFC 9449 section 10: the authorization request's dpop_jkt, a base64url SHA-256 JWK thumbprint (43 characters).
        if (dpopJkt is not null && (dpopJkt.Length != 43 || !dpopJkt.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')))
        {
            throw new UsageException("--dpop-jkt must be a JWK SHA-256 thumbprint: 43 base64url characters (RFC 7638, RFC 9449 section 10)");
        }

        var client = (OAuthClient.IsValidId(clientId) ? await clients.FindAsync(clientId, cancellationToken).ConfigureAwait(false) : null)
            ?? throw new UsageException($"no client '{clientId}' is registered");
        if (!client.RedirectUris.Contains(redirectUri, StringComparer.Ordinal))
        {
            throw new UsageException($"'{redirectUri}' is not a registered redirect URI of client '{clientId}'");
        }

        if (string.Equals(subject, clientId, StringComparison.Ordinal))
        {
            throw new UsageException("--subject must not be the client's own id: a user's token must not look like the client's (the token endpoint refuses such a code)");
        }

        if (challenge is null && client.IsPublic)
        {
            throw new UsageException("public clients must use PKCE: give --code-challenge");
        }

        if (challenge is not null)
        {
            if (!Pkce.IsSupportedMethod(method))
            {
                throw new UsageException($"--code-challenge-method must be {Pkce.S256} or {Pkce.Plain}");
            }

            if (method == Pkce.Plain && !client.AllowPlainPkce)
            {
                throw new UsageException($"client '{clientId}' is not allowed the plain method (register it with --allow-plain-pkce)");
            }

            if (!Pkce.IsValidVerifier(challenge))
            {
                throw new UsageException("--code-challenge must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~ (an S256 challenge is 43)");
            }
        }

        var scopes = Scopes.Parse(scope ?? Scopes.Join(client.AllowedScopes.Order(StringComparer.Ordinal)));
        if (Scopes.FirstOutside(scopes, client.AllowedScopes) is { } extra)
        {
            throw new UsageException($"scope '{extra}' is not registered for client '{clientId}'");
        }

        if (resources.FirstOrDefault(r => !client.AllowedResources.Contains(r)) is { } unregistered)
        {
            throw new UsageException($"resource '{unregistered}' is not registered for client '{clientId}' (register it with client add --resource)");
        }

        if (lifetime is < 1 or > MaxLifetimeSeconds)
        {
            throw new UsageException($"--lifetime must be 1 to {MaxLifetimeSeconds} seconds (RFC 6749 recommends at most 600)");
        }

        var request = new NewAuthorizationCode(clientId, redirectUri, challenge, challenge is null ? null : method, subject, Scopes.Join(scopes), TimeSpan.FromSeconds(lifetime), resources, dpopJkt);
        using var printing = new SemaphoreSlim(1, 1);
        // Each code is printed as soon as it is stored, so a failure part-way leaves the codes issued so far usable.
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = IssueConcurrency, CancellationToken = cancellationToken }, async (_, cancel) =>
        {
            var code = await codes.IssueAsync(request, cancel).ConfigureAwait(false);
            await printing.WaitAsync(cancel).ConfigureAwait(false);
            try
            {
                await output.WriteLineAsync(code).ConfigureAwait(false);
            }
            finally
            {
                printing.Release();
            }
        }).ConfigureAwait(false);
        return 0;
    }
}
