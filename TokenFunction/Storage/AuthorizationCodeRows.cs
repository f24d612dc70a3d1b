using Azure.Data.Tables;
using TokenFunction.Grants;
using TokenFunction.Protocol;

namespace TokenFunction.Storage;

/// <summary>
/// Reads a code row (the grant's root) column by column, as docs/storage.md documents it, instead of trusting the SDK's
/// typed mapping: that would take a missing ExpiresAt for the year 1 and a missing Subject for an empty one. A row that
/// breaks the contract is a <see cref="MalformedRowException"/> naming the column.
/// </summary>
internal static class AuthorizationCodeRows
{
    public static AuthorizationGrant Read(TableEntity row)
    {
        var columns = new RowReader(TableNames.Grants, row);
        var entity = new AuthorizationGrant
        {
            GrantId = row.PartitionKey,
            Version = TableVersions.ToToken(row.ETag),
            ClientId = columns.RequiredString(nameof(AuthorizationCodeEntity.ClientId)),
            RedirectUri = columns.RequiredString(nameof(AuthorizationCodeEntity.RedirectUri)),
            CodeChallenge = columns.OptionalString(nameof(AuthorizationCodeEntity.CodeChallenge)),
            CodeChallengeMethod = columns.OptionalString(nameof(AuthorizationCodeEntity.CodeChallengeMethod)),
            Subject = columns.RequiredString(nameof(AuthorizationCodeEntity.Subject)),
            Scope = columns.OptionalString(nameof(AuthorizationCodeEntity.Scope)) ?? string.Empty,
            Resources = ResourceLines.Split(columns.OptionalString(nameof(AuthorizationCodeEntity.Resources))),
            IssuedAt = columns.RequiredDate(nameof(AuthorizationCodeEntity.IssuedAt)),
            ExpiresAt = columns.RequiredDate(nameof(AuthorizationCodeEntity.ExpiresAt)),
            RedeemedAt = columns.OptionalDate(nameof(AuthorizationCodeEntity.RedeemedAt)),
            RedemptionId = columns.OptionalString(nameof(AuthorizationCodeEntity.RedemptionId)),
            RevokedAt = columns.OptionalDate(nameof(AuthorizationCodeEntity.RevokedAt)),
            GrantExpiresAt = columns.OptionalDate(nameof(AuthorizationCodeEntity.GrantExpiresAt)),
            RefreshExpiresAt = columns.OptionalDate(nameof(AuthorizationCodeEntity.RefreshExpiresAt)),
            SealedRefreshToken = columns.OptionalString(nameof(AuthorizationCodeEntity.SealedRefreshToken)),
            DpopJkt = columns.OptionalString(nameof(AuthorizationCodeEntity.DpopJkt)),
        };
        if ((entity.CodeChallenge is null) != (entity.CodeChallengeMethod is null))
        {
            throw columns.Malformed($"{nameof(AuthorizationCodeEntity.CodeChallenge)} and {nameof(AuthorizationCodeEntity.CodeChallengeMethod)} must be present together or not at all");
        }

        if (entity.CodeChallengeMethod is { } method && !Pkce.IsSupportedMethod(method))
        {
            throw columns.Malformed($"the column {nameof(AuthorizationCodeEntity.CodeChallengeMethod)} is neither {Pkce.S256} nor {Pkce.Plain}");
        }

        return entity;
    }
}
