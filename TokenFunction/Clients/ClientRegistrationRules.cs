using TokenFunction.Clients.Assertions;
using TokenFunction.Protocol;
using TokenFunction.Settings;

namespace TokenFunction.Clients;

/// <summary>Which rule of a registration a client breaks.</summary>
public enum RegistrationRule
{
    ClientId,
    OneCredential,
    WeakSecret,
    InlineJwksTooLong,
    InlineJwksUnusable,
    JwksUri,
    UnknownGrantType,
    RefreshTokenNeedsAuthorizationCode,
    ClientCredentialsNeedConfidentialClient,
    RedirectUriRequired,
    RedirectUriWithoutAuthorizationCode,
    PlainPkceWithoutAuthorizationCode,
    RedirectUri,
    Resource,
    Scope,
    RefreshLifetime,
    RefreshLifetimeWithoutRefreshToken,
}

/// <summary>
/// A broken rule: which, the registration field it concerns (named as RFC 7591 names client metadata), the offending
/// value, and why in words a registration endpoint could answer with. Each front end (tokenctl, a registration
/// endpoint) words it for its own audience.
/// </summary>
public sealed record RegistrationProblem(RegistrationRule Rule, string Field, string Reason, string? Value = null);

/// <summary>
/// What a client registration must satisfy before it is stored, whoever registers it (tokenctl, a future RFC 7591
/// endpoint): a valid id; one kind of credential at most (a secret nobody can guess, or public keys inline or at a
/// public https URL); known grant types in a combination that works (refresh tokens come from code exchanges, client
/// credentials need a confidential client); redirect URIs exactly when the code grant is allowed; valid scopes and
/// resources; refresh lifetimes within the service's bounds and only with refresh tokens.
/// </summary>
public static class ClientRegistrationRules
{
    /// <summary>Every rule <paramref name="client"/> breaks, in the order an operator would fix them; empty when it may be registered.</summary>
    /// <param name="client">The registration as it would be stored.</param>
    /// <param name="newSecret">The secret being set, in clear (its hash is on <paramref name="client"/>); null when none is.</param>
    /// <param name="allowLoopbackJwksUri">Whether a loopback <c>jwks_uri</c> is allowed (local development, tests).</param>
    public static IReadOnlyList<RegistrationProblem> Check(OAuthClient client, string? newSecret, bool allowLoopbackJwksUri)
    {
        ArgumentNullException.ThrowIfNull(client);
        var problems = new List<RegistrationProblem>();
        var grants = client.AllowedGrantTypes;
        foreach (var unknown in grants.Where(g => !GrantTypeNames.All.Contains(g, StringComparer.Ordinal)).Order(StringComparer.Ordinal))
        {
            problems.Add(new(RegistrationRule.UnknownGrantType, "grant_types", $"the grant types are {string.Join(", ", GrantTypeNames.All)}", unknown));
        }

        if (grants.Contains(GrantTypeNames.RefreshToken) && !grants.Contains(GrantTypeNames.AuthorizationCode))
        {
            problems.Add(new(RegistrationRule.RefreshTokenNeedsAuthorizationCode, "grant_types", "refresh tokens are issued by code exchanges"));
        }

        foreach (var (field, value) in new[] { ("refresh_idle_lifetime", client.RefreshIdleLifetimeSeconds), ("refresh_absolute_lifetime", client.RefreshAbsoluteLifetimeSeconds) })
        {
            if (value is < TokenOptions.MinRefreshLifetimeSeconds or > TokenOptions.MaxRefreshLifetimeSeconds)
            {
                problems.Add(new(RegistrationRule.RefreshLifetime, field,
                    $"must be {TokenOptions.MinRefreshLifetimeSeconds} to {TokenOptions.MaxRefreshLifetimeSeconds} seconds", value.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            }
            else if (value is not null && !grants.Contains(GrantTypeNames.RefreshToken))
            {
                problems.Add(new(RegistrationRule.RefreshLifetimeWithoutRefreshToken, field, "applies only to a client allowed the refresh_token grant"));
            }
        }

        if (!OAuthClient.IsValidId(client.ClientId))
        {
            problems.Add(new(RegistrationRule.ClientId, "client_id", $"must be {OAuthClient.IdRule}", client.ClientId));
        }

        if ((client.SecretHash is not null ? 1 : 0) + (client.Jwks is not null ? 1 : 0) + (client.JwksUri is not null ? 1 : 0) > 1)
        {
            problems.Add(new(RegistrationRule.OneCredential, "token_endpoint_auth_method", "a client has one kind of credential: a secret, or its public keys inline or by URL"));
        }

        if (client.Jwks is { } jwks)
        {
            if (jwks.Length > OAuthClient.MaxInlineJwksLength)
            {
                problems.Add(new(RegistrationRule.InlineJwksTooLong, "jwks", $"is longer than {OAuthClient.MaxInlineJwksLength} characters; publish it and register its URL"));
            }
            else if (!ClientJsonWebKeySet.TryParse(jwks, out _, out var error))
            {
                problems.Add(new(RegistrationRule.InlineJwksUnusable, "jwks", error!));
            }
        }

        if (client.JwksUri is { } jwksUri && !ClientJwksUri.IsAcceptable(jwksUri, allowLoopbackJwksUri, out var uriReason))
        {
            problems.Add(new(RegistrationRule.JwksUri, "jwks_uri", uriReason!, jwksUri.OriginalString));
        }

        if (newSecret is not null && !ClientSecretPolicy.IsAcceptable(newSecret, out var weakness))
        {
            problems.Add(new(RegistrationRule.WeakSecret, "client_secret", weakness!));
        }

        if (client.IsPublic && grants.Contains(GrantTypeNames.ClientCredentials))
        {
            problems.Add(new(RegistrationRule.ClientCredentialsNeedConfidentialClient, "grant_types", "a public client cannot use the client_credentials grant"));
        }

        var usesCodes = grants.Contains(GrantTypeNames.AuthorizationCode);
        if (usesCodes && client.RedirectUris.Count == 0)
        {
            problems.Add(new(RegistrationRule.RedirectUriRequired, "redirect_uris", "at least one redirect URI is required for the authorization_code grant"));
        }

        if (!usesCodes && client.RedirectUris.Count > 0)
        {
            problems.Add(new(RegistrationRule.RedirectUriWithoutAuthorizationCode, "redirect_uris", "redirect URIs apply only to the authorization_code grant"));
        }

        if (!usesCodes && client.AllowPlainPkce)
        {
            problems.Add(new(RegistrationRule.PlainPkceWithoutAuthorizationCode, "allow_plain_pkce", "plain PKCE applies only to the authorization_code grant"));
        }

        problems.AddRange(client.RedirectUris.Where(uri => !AbsoluteUri.IsValidWithoutFragment(uri))
            .Select(uri => new RegistrationProblem(RegistrationRule.RedirectUri, "redirect_uris", "must be an absolute URI without a fragment", uri)));
        problems.AddRange(client.AllowedResources.Order(StringComparer.Ordinal).Where(resource => !ResourceIndicators.IsValid(resource))
            .Select(resource => new RegistrationProblem(RegistrationRule.Resource, "resources", "must be an absolute URI without a fragment", resource)));
        problems.AddRange(client.AllowedScopes.Order(StringComparer.Ordinal).Where(scope => !Scopes.IsValidToken(scope))
            .Select(scope => new RegistrationProblem(RegistrationRule.Scope, "scope", "has characters RFC 6749 section 3.3 does not allow", scope)));
        return problems;
    }
}
