using TokenFunction.Clients.Assertions;

namespace TokenFunction.Storage.Memory;

/// <summary>Used client assertion ids in memory, with the Table store's semantics; for unit tests and experiments, not used by the service.</summary>
public sealed class InMemoryAssertionReplayStore(TimeProvider time) : IAssertionReplayStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string ClientId, string JwtId), DateTimeOffset> _used = [];

    public Task<bool> TryUseAsync(string clientId, string jwtId, DateTimeOffset acceptableUntil, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            // A use whose assertion has expired may be taken over, as the Table store takes over its row.
            if (_used.TryGetValue((clientId, jwtId), out var until) && until > time.GetUtcNow())
            {
                return Task.FromResult(false);
            }

            _used[(clientId, jwtId)] = acceptableUntil;
            return Task.FromResult(true);
        }
    }
}
