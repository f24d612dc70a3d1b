using TokenFunction.Clients;
using TokenFunction.Clients.Assertions;
using TokenFunction.Storage.Memory;

namespace TokenFunction.Tests.Storage;

/// <summary>The grant contract against the in-memory stores: no Azurite.</summary>
public sealed class InMemoryGrantStoreContract : GrantStoreContract
{
    protected override GrantStores CreateStores()
    {
        var store = new InMemoryGrantStore(Clock);
        return new GrantStores(store, store, store, store);
    }
}

/// <summary>The assertion replay contract against the in-memory store: no Azurite.</summary>
public sealed class InMemoryAssertionReplayContract : AssertionReplayContract
{
    protected override IAssertionReplayStore CreateStore() => new InMemoryAssertionReplayStore(Clock);
}

/// <summary>The client registry contract against the in-memory store: no Azurite.</summary>
public sealed class InMemoryClientRegistryContract : ClientRegistryContract
{
    protected override IClientRegistry CreateStore() => new InMemoryClientStore();
}
