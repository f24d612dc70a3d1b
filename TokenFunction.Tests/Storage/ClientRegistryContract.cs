using TokenFunction.Clients;
using TokenFunction.Protocol;

namespace TokenFunction.Tests.Storage;

/// <summary>Client lookup and registration, run against every implementation of the port.</summary>
public abstract class ClientRegistryContract
{
    protected abstract IClientRegistry CreateStore();

    [Test]
    public async Task SavedClient_IsFoundAsRegistered()
    {
        var store = CreateStore();
        var client = NewClient();

        Assert.That(await store.SaveAsync(client, replace: false, CancellationToken.None), Is.True);
        var found = await store.FindAsync(client.ClientId, CancellationToken.None);

        Assert.That(found, Is.Not.Null);
        Assert.Multiple(() =>
        {
            Assert.That(found!.RedirectUris, Is.EqualTo(client.RedirectUris));
            Assert.That(found.AllowedScopes, Is.EquivalentTo(client.AllowedScopes));
            Assert.That(found.AllowedGrantTypes, Is.EquivalentTo(client.AllowedGrantTypes));
            Assert.That(found.AllowedResources, Is.EquivalentTo(client.AllowedResources));
            Assert.That((found.IsPublic, found.RefreshIdleLifetimeSeconds), Is.EqualTo((true, (int?)3600)));
        });
    }

    [Test]
    public async Task SavingAnExistingClient_IsRefusedUnlessReplacing()
    {
        var store = CreateStore();
        var client = NewClient();
        await store.SaveAsync(client, replace: false, CancellationToken.None);

        var again = await store.SaveAsync(client with { AllowPlainPkce = true }, replace: false, CancellationToken.None);
        Assert.That((again, (await store.FindAsync(client.ClientId, CancellationToken.None))!.AllowPlainPkce), Is.EqualTo((false, false)));

        var replaced = await store.SaveAsync(client with { AllowPlainPkce = true }, replace: true, CancellationToken.None);
        Assert.That((replaced, (await store.FindAsync(client.ClientId, CancellationToken.None))!.AllowPlainPkce), Is.EqualTo((true, true)));
    }

    [Test]
    public async Task RemovedClient_IsGone_AndRemovingItAgainSaysSo()
    {
        var store = CreateStore();
        var client = NewClient();
        await store.SaveAsync(client, replace: false, CancellationToken.None);

        Assert.That(await store.RemoveAsync(client.ClientId, CancellationToken.None), Is.True);
        Assert.That(await store.FindAsync(client.ClientId, CancellationToken.None), Is.Null);
        Assert.That(await store.RemoveAsync(client.ClientId, CancellationToken.None), Is.False);
    }

    private static OAuthClient NewClient() => new()
    {
        ClientId = "registry-" + Guid.NewGuid().ToString("N"),
        RedirectUris = ["https://app.example.test/cb", "https://app.example.test/other"],
        AllowedScopes = new HashSet<string>(StringComparer.Ordinal) { "orders:read", "orders:write" },
        AllowedGrantTypes = new HashSet<string>(StringComparer.Ordinal) { GrantTypeNames.AuthorizationCode, GrantTypeNames.RefreshToken },
        AllowedResources = new HashSet<string>(StringComparer.Ordinal) { "https://orders.example.test/" },
        RefreshIdleLifetimeSeconds = 3600,
    };
}
