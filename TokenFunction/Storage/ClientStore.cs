using Azure;
using Azure.Data.Tables;
using TokenFunction.Clients;
using TokenFunction.Grants;

namespace TokenFunction.Storage;

/// <summary>Reads and registers clients in <see cref="TableNames.Clients"/>.</summary>
public sealed class ClientStore(TokenTables tables, TimeProvider time) : IClientRegistry
{
    /// <exception cref="MalformedRowException">The registration row breaks the documented layout.</exception>
    public async Task<OAuthClient?> FindAsync(string clientId, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(TableNames.Clients, cancellationToken).ConfigureAwait(false);
        var key = ClientIdKeys.Of(clientId);
        var entity = await TableRows.GetIfExistsAsync<ClientEntity>(table, key, ClientEntity.Row, cancellationToken).ConfigureAwait(false);
        if (entity is null)
        {
            return null;
        }

        Uri? jwksUri = null;
        if (!string.IsNullOrEmpty(entity.JwksUri) && !Uri.TryCreate(entity.JwksUri, UriKind.Absolute, out jwksUri))
        {
            throw new MalformedRowException(TableNames.Clients, key, ClientEntity.Row, $"the column {nameof(ClientEntity.JwksUri)} is not an absolute URI");
        }

        return ToClient(entity, jwksUri);
    }

    /// <summary>Registers a client; with <paramref name="replace"/> an existing registration is overwritten.</summary>
    /// <returns>False when the client exists and <paramref name="replace"/> is not set.</returns>
    public async Task<bool> SaveAsync(OAuthClient client, bool replace, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(TableNames.Clients, cancellationToken).ConfigureAwait(false);
        var entity = new ClientEntity
        {
            PartitionKey = ClientIdKeys.Of(client.ClientId),
            ClientId = client.ClientId,
            SecretHash = client.SecretHash,
            Jwks = client.Jwks,
            JwksUri = client.JwksUri?.AbsoluteUri,
            RedirectUris = string.Join('\n', client.RedirectUris),
            Scopes = string.Join(' ', client.AllowedScopes.Order(StringComparer.Ordinal)),
            GrantTypes = string.Join(' ', client.AllowedGrantTypes.Order(StringComparer.Ordinal)),
            Resources = ResourceLines.Join(client.AllowedResources.Order(StringComparer.Ordinal)),
            AllowPlainPkce = client.AllowPlainPkce,
            RefreshIdleLifetimeSeconds = client.RefreshIdleLifetimeSeconds,
            RefreshAbsoluteLifetimeSeconds = client.RefreshAbsoluteLifetimeSeconds,
            DpopBoundAccessTokens = client.RequireDpop ? true : null,
            CreatedAt = time.GetUtcNow(),
        };
        if (replace)
        {
            // Registration is an operator's deliberate overwrite of configuration, not a race to win.
            await table.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
            return true;
        }

        try
        {
            await table.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            return false;
        }
    }

    /// <summary>Deletes a registration; its requests fail authentication from then on.</summary>
    /// <returns>False when no such client was registered.</returns>
    public async Task<bool> RemoveAsync(string clientId, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(TableNames.Clients, cancellationToken).ConfigureAwait(false);
        // DeleteEntityAsync answers 404 as a response, not an exception: the status tells whether there was a row.
        using var response = await table.DeleteEntityAsync(ClientIdKeys.Of(clientId), ClientEntity.Row, ETag.All, cancellationToken).ConfigureAwait(false);
        return response.Status != 404;
    }

    private static OAuthClient ToClient(ClientEntity entity, Uri? jwksUri) => new()
    {
        ClientId = string.IsNullOrEmpty(entity.ClientId) ? entity.PartitionKey : entity.ClientId,
        SecretHash = string.IsNullOrEmpty(entity.SecretHash) ? null : entity.SecretHash,
        Jwks = string.IsNullOrEmpty(entity.Jwks) ? null : entity.Jwks,
        JwksUri = jwksUri,
        RedirectUris = entity.RedirectUris.Split('\n', StringSplitOptions.RemoveEmptyEntries),
        AllowedScopes = entity.Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal),
        AllowedGrantTypes = entity.GrantTypes.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal),
        AllowedResources = ResourceLines.Split(entity.Resources).ToHashSet(StringComparer.Ordinal),
        AllowPlainPkce = entity.AllowPlainPkce,
        RefreshIdleLifetimeSeconds = entity.RefreshIdleLifetimeSeconds,
        RefreshAbsoluteLifetimeSeconds = entity.RefreshAbsoluteLifetimeSeconds,
        RequireDpop = entity.DpopBoundAccessTokens == true,
    };
}
