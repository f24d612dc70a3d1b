using Azure.Data.Tables;
using Microsoft.Extensions.Logging.Abstractions;
using TokenFunction.Clients;
using TokenFunction.Clients.Assertions;
using TokenFunction.Storage;

namespace TokenFunction.Tests.Storage;

/// <summary>The grant contract against the Table stores, on Azurite.</summary>
public sealed class TableGrantStoreContract : GrantStoreContract
{
    protected override GrantStores CreateStores()
    {
        var tables = TableStores.Tables();
        var codes = new AuthorizationCodeStore(tables, Clock, NullLogger<AuthorizationCodeStore>.Instance);
        return new GrantStores(codes, codes, new RefreshTokenStore(tables, Clock, NullLogger<RefreshTokenStore>.Instance), codes);
    }
}

/// <summary>The assertion replay contract against the Table store, on Azurite.</summary>
public sealed class TableAssertionReplayContract : AssertionReplayContract
{
    protected override IAssertionReplayStore CreateStore() => new ClientAssertionReplayStore(TableStores.Tables(), Clock);
}

/// <summary>The client registry contract against the Table store, on Azurite.</summary>
public sealed class TableClientRegistryContract : ClientRegistryContract
{
    protected override IClientRegistry CreateStore() => new ClientStore(TableStores.Tables(), TimeProvider.System);
}

internal static class TableStores
{
    public static TokenTables Tables(Azure.Core.Pipeline.HttpPipelinePolicy? policy = null)
    {
        var options = new TableClientOptions();
        if (policy is not null)
        {
            options.AddPolicy(policy, Azure.Core.HttpPipelinePosition.PerRetry);
        }

        options.Retry.Delay = TimeSpan.FromMilliseconds(10);
        return new TokenTables(new TableServiceClient(TestEnvironment.Azurite.ConnectionString, options), createTablesIfMissing: true);
    }
}
