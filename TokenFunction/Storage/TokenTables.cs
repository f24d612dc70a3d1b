using Azure.Data.Tables;

namespace TokenFunction.Storage;

/// <summary>
/// The service's table clients. Tables are created on first use when allowed (local runs); a deployment
/// that creates them itself turns that off. A failed creation is retried by the next request. What the process last
/// wrote of grants' root rows (<see cref="WrittenRoots"/>) is kept here too, so every store of the process shares it.
/// </summary>
public sealed class TokenTables(TableServiceClient service, bool createTablesIfMissing) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile bool _ready = !createTablesIfMissing;

    // One client per table for the process: a TableClient is thread-safe, and building one per operation cost URI and
    // pipeline set-up on every storage request (docs/performance.md).
    private readonly Dictionary<string, TableClient> _clients = TableNames.All.ToDictionary(name => name, service.GetTableClient, StringComparer.Ordinal);

    /// <summary>Grants' root rows as this process last wrote them.</summary>
    internal WrittenRoots WrittenRoots { get; } = new();

    public async ValueTask<TableClient> GetAsync(string tableName, CancellationToken cancellationToken)
    {
        if (!_ready)
        {
            await EnsureCreatedAsync(cancellationToken).ConfigureAwait(false);
        }

        return _clients.TryGetValue(tableName, out var client) ? client : service.GetTableClient(tableName);
    }

    private async Task EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_ready)
            {
                return;
            }

            foreach (var name in TableNames.All)
            {
                await service.CreateTableIfNotExistsAsync(name, cancellationToken).ConfigureAwait(false);
            }

            _ready = true;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();
}
