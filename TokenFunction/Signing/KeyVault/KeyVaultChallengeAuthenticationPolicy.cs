using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace TokenFunction.Signing.KeyVault;

/// <summary>
/// Key Vault's challenge-based bearer authentication. The first request goes out without a token and without its
/// body; the vault answers 401 with <c>WWW-Authenticate: Bearer authorization="https://login.../{tenant}",
/// resource="https://vault.azure.net"</c> (or <c>scope=</c>). The policy checks that the resource is the vault's own
/// domain (so a token is never minted for, and sent to, a host that is not part of that resource), gets a token for
/// <c>{resource}/.default</c> in the challenge's tenant, restores the body and resends. The challenge is then cached
/// and later requests carry a (cached, refreshed in time by Azure.Core) token from the start. HTTPS only.
/// </summary>
internal sealed class KeyVaultChallengeAuthenticationPolicy : BearerTokenAuthenticationPolicy
{
    private const string StashedContentKey = "TokenFunction.KeyVault.StashedContent";
    private readonly bool _verifyChallengeResource;
    private volatile Challenge? _challenge;

    public KeyVaultChallengeAuthenticationPolicy(TokenCredential credential, bool verifyChallengeResource)
        : base(credential, Array.Empty<string>())
    {
        _verifyChallengeResource = verifyChallengeResource;
    }

    /// <summary>The scope of the cached challenge; null before the first challenge.</summary>
    internal string? Scope => _challenge?.Scope;

    protected override ValueTask AuthorizeRequestAsync(HttpMessage message)
    {
        if (PrepareRequest(message) is { } context)
        {
            return AuthenticateAndAuthorizeRequestAsync(message, context);
        }

        return ValueTask.CompletedTask;
    }

    protected override void AuthorizeRequest(HttpMessage message)
    {
        if (PrepareRequest(message) is { } context)
        {
            AuthenticateAndAuthorizeRequest(message, context);
        }
    }

    protected override async ValueTask<bool> AuthorizeRequestOnChallengeAsync(HttpMessage message)
    {
        if (ReadChallenge(message) is not { } context)
        {
            return false;
        }

        await AuthenticateAndAuthorizeRequestAsync(message, context).ConfigureAwait(false);
        return true;
    }

    protected override bool AuthorizeRequestOnChallenge(HttpMessage message)
    {
        if (ReadChallenge(message) is not { } context)
        {
            return false;
        }

        AuthenticateAndAuthorizeRequest(message, context);
        return true;
    }

    /// <summary>With a cached challenge: the token context. Without: strips the body for the challenge round-trip.</summary>
    private TokenRequestContext? PrepareRequest(HttpMessage message)
    {
        RequireHttps(message);
        if (_challenge is { } challenge && challenge.Authority == Authority(message))
        {
            return challenge.Context(message);
        }

        // Nothing protected goes to a vault before it has said how it wants to be authenticated.
        if (message.Request.Content is { } content && !message.TryGetProperty(StashedContentKey, out _))
        {
            message.SetProperty(StashedContentKey, content);
        }

        message.Request.Content = null;
        return null;
    }

    private TokenRequestContext? ReadChallenge(HttpMessage message)
    {
        RequireHttps(message);
        if (message.Request.Content is null && message.TryGetProperty(StashedContentKey, out object? stashed))
        {
            message.Request.Content = stashed as RequestContent;
        }

        string? scope = BearerParameter(message.Response, "resource");
        scope = string.IsNullOrEmpty(scope)
            ? BearerParameter(message.Response, "scope")
            : scope.TrimEnd('/') + "/.default";
        if (string.IsNullOrEmpty(scope))
        {
            return null; // Not a Key Vault bearer challenge: the 401 goes back to the caller.
        }

        if (!Uri.TryCreate(scope, UriKind.Absolute, out Uri? scopeUri) || scopeUri.Scheme != Uri.UriSchemeHttps)
        {
            throw new InvalidOperationException($"The Key Vault authentication challenge names an invalid resource '{scope}'.");
        }

        string host = message.Request.Uri.Host ?? string.Empty;
        if (_verifyChallengeResource && !host.EndsWith("." + scopeUri.Host, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException(
                $"The Key Vault authentication challenge names the resource '{scopeUri.Host}', which is not the domain of the vault '{host}'. " +
                "No token was requested. Check Signing__KeyVaultKeyId: it must be the vault's own URI (https://{vault}.vault.azure.net/... or the sovereign-cloud equivalent).");
        }

        string? authorization = BearerParameter(message.Response, "authorization");
        if (string.IsNullOrEmpty(authorization))
        {
            authorization = BearerParameter(message.Response, "authorization_uri");
        }

        string? tenantId = null;
        if (Uri.TryCreate(authorization, UriKind.Absolute, out Uri? authorizationUri))
        {
            string[] segments = authorizationUri.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
            tenantId = segments.Length > 0 ? segments[0] : null;
        }

        var challenge = new Challenge(Authority(message), scope, tenantId);
        _challenge = challenge;
        return challenge.Context(message);
    }

    /// <summary>
    /// A parameter of the Bearer challenge in <c>WWW-Authenticate</c> (RFC 7235 auth-params: token or quoted-string
    /// values, comma separated; other schemes' challenges in the same header are skipped).
    /// </summary>
    internal static string? BearerParameter(Response response, string name)
    {
        if (!response.Headers.TryGetValue("WWW-Authenticate", out string? header))
        {
            return null;
        }

        bool inBearer = false;
        int i = 0;
        while (i < header.Length)
        {
            while (i < header.Length && (header[i] == ' ' || header[i] == ','))
            {
                i++;
            }

            int start = i;
            while (i < header.Length && header[i] != ' ' && header[i] != ',' && header[i] != '=')
            {
                i++;
            }

            string token = header[start..i];
            while (i < header.Length && header[i] == ' ')
            {
                i++;
            }

            if (i < header.Length && header[i] == '=')
            {
                i++;
                while (i < header.Length && header[i] == ' ')
                {
                    i++;
                }

                var value = new System.Text.StringBuilder();
                if (i < header.Length && header[i] == '"')
                {
                    i++;
                    while (i < header.Length && header[i] != '"')
                    {
                        if (header[i] == '\\' && i + 1 < header.Length)
                        {
                            i++;
                        }

                        value.Append(header[i++]);
                    }

                    i++;
                }
                else
                {
                    while (i < header.Length && header[i] != ',' && header[i] != ' ')
                    {
                        value.Append(header[i++]);
                    }
                }

                if (inBearer && string.Equals(token, name, StringComparison.OrdinalIgnoreCase))
                {
                    return value.ToString();
                }
            }
            else if (token.Length > 0)
            {
                // A bare token starts a new challenge (its scheme).
                inBearer = string.Equals(token, "Bearer", StringComparison.OrdinalIgnoreCase);
            }
        }

        return null;
    }

    private static void RequireHttps(HttpMessage message)
    {
        if (message.Request.Uri.Scheme != Uri.UriSchemeHttps)
        {
            throw new InvalidOperationException("Key Vault bearer authentication is only permitted over https.");
        }
    }

    private static string Authority(HttpMessage message)
    {
        Uri uri = message.Request.Uri.ToUri();
        return uri.Host.ToUpperInvariant() + ":" + uri.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    private sealed record Challenge(string Authority, string Scope, string? TenantId)
    {
        public TokenRequestContext Context(HttpMessage message) =>
            new(scopes: [Scope], parentRequestId: message.Request.ClientRequestId, tenantId: TenantId);
    }
}
