using Azure.Data.Tables;
using TokenFunction.Grants;
using TokenFunction.Storage;

namespace TokenFunction.Tests.Infrastructure;

/// <summary>Reads a grant's partition straight from Azurite, for tests that check what storage holds.</summary>
public static class GrantTable
{
    public static TableClient Client() => new TableServiceClient(TestEnvironment.Azurite.ConnectionString).GetTableClient(TableNames.Grants);

    public static async Task<List<TableEntity>> RowsAsync(string grantId) =>
        await Client().QueryAsync<TableEntity>(e => e.PartitionKey == grantId).ToListAsync();

    /// <summary>
    /// Refresh tokens of the grant that are not retired, in rows of their own or held by the root (its live token): a
    /// grant has at most one, else two families live.
    /// </summary>
    public static async Task<int> LiveRefreshRowsAsync(string grantId) => LiveRefreshTokens(await RowsAsync(grantId));

    public static int LiveRefreshTokens(IEnumerable<TableEntity> rows) =>
        rows.Count(r => r.RowKey.StartsWith(RefreshTokens.RowKeyPrefix, StringComparison.Ordinal)
            ? !r.ContainsKey(nameof(RefreshTokenEntity.RetiredAt))
            : r.RowKey == AuthorizationCodeEntity.Row && r.ContainsKey(nameof(AuthorizationCodeEntity.RefreshKey)));

    /// <summary>The keys of the refresh tokens in the grant's rows and of the live one its root holds.</summary>
    public static IEnumerable<string> RefreshKeys(IEnumerable<TableEntity> rows) =>
        rows.Select(r => r.RowKey.StartsWith(RefreshTokens.RowKeyPrefix, StringComparison.Ordinal)
                ? r.RowKey
                : r.GetString(nameof(AuthorizationCodeEntity.RefreshKey)))
            .OfType<string>();

    public static async Task<TableEntity> RootAsync(string grantId) =>
        (await Client().GetEntityAsync<TableEntity>(grantId, AuthorizationCodeEntity.Row)).Value;

    /// <summary>The grant id (partition) a refresh token names.</summary>
    public static string GrantOf(string refreshToken) => refreshToken.Split('.')[0];
}
