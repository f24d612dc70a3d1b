using TokenFunction.Clients;

namespace TokenFunction.Storage.Memory;

/// <summary>Client registrations in memory, with the Table store's semantics; for unit tests and experiments, not used by the service.</summary>
public sealed class InMemoryClientStore : IClientRegistry
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, OAuthClient> _clients = new(StringComparer.Ordinal);

    public Task<OAuthClient?> FindAsync(string clientId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_clients.GetValueOrDefault(clientId));
        }
    }

    public Task<bool> SaveAsync(OAuthClient client, bool replace, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        lock (_gate)
        {
            if (!replace && _clients.ContainsKey(client.ClientId))
            {
                return Task.FromResult(false);
            }

            _clients[client.ClientId] = client;
            return Task.FromResult(true);
        }
    }

    public Task<bool> RemoveAsync(string clientId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_clients.Remove(clientId));
        }
    }
}
