using Microsoft.Extensions.Options;
using TokenFunction.Clients;
using TokenFunction.Protocol;
using TokenFunction.Settings;

namespace TokenFunction.Grants;

/// <summary>Who gets refresh tokens and how long they live: the settings, overridden per client.</summary>
public sealed class RefreshTokenPolicy(IOptions<TokenOptions> options)
{
    public TimeSpan ReuseGrace => TimeSpan.FromSeconds(options.Value.RefreshReuseGraceSeconds);

    public static bool IsIssuedTo(OAuthClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        return client.AllowedGrantTypes.Contains(GrantTypeNames.RefreshToken);
    }

    public TimeSpan IdleLifetime(OAuthClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        return TimeSpan.FromSeconds(client.RefreshIdleLifetimeSeconds ?? options.Value.RefreshTokenIdleLifetimeSeconds);
    }

    public TimeSpan AbsoluteLifetime(OAuthClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        return TimeSpan.FromSeconds(client.RefreshAbsoluteLifetimeSeconds ?? options.Value.RefreshTokenAbsoluteLifetimeSeconds);
    }

    /// <summary>
    /// The DPoP key a new grant's refresh tokens are bound to (RFC 9449 section 5): a public client's are bound to the key
    /// of the proof it redeemed the code with, since nothing else ties them to the client; a confidential client's stay
    /// bound to its authentication only, so it may change its DPoP key without losing the grant.
    /// </summary>
    public static string? BindingFor(OAuthClient client, string? dpopThumbprint)
    {
        ArgumentNullException.ThrowIfNull(client);
        return client.IsPublic ? dpopThumbprint : null;
    }

    /// <summary>A new token's record: idle expiry from now, never past the grant's absolute expiry.</summary>
    public RefreshTokenRecord NewRecord(string grantId, string token, OAuthClient client, DateTimeOffset now, DateTimeOffset grantExpiresAt)
    {
        var idle = now + IdleLifetime(client);
        return new RefreshTokenRecord
        {
            GrantId = grantId,
            Key = RefreshTokens.RowKeyOf(token),
            IssuedAt = now,
            ExpiresAt = idle < grantExpiresAt ? idle : grantExpiresAt,
        };
    }
}
