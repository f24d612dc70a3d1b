using System.Net;
using System.Text.Json;
using Azure.Data.Tables;
using Duende.IdentityModel.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using TokenFunction.Clients;
using TokenFunction.Grants;
using TokenFunction.Protocol;
using TokenFunction.Storage;
using TokenFunction.Tests.Infrastructure;

namespace TokenFunction.Tests.EndToEnd;

/// <summary>
/// Client ids as RFC 6749 allows them (any 1 to 255 VSCHAR): registered, authenticated with Basic (Appendix B:
/// form-url-encoded before base64) and with client_secret_post, revoked by client; and rows written with the keys
/// used before such ids were allowed are still read.
/// </summary>
public sealed class ClientIdTests : EndToEndTest
{
    [TestCase("urn:example:client")]
    [TestCase("a:b")]
    [TestCase("https://app.example.com/client.json")]
    public async Task AVscharClientId_IsRegisteredAndAuthenticatesWithBasicAndWithPost(string clientId)
    {
        var secret = ClientSecretHasher.GenerateSecret();
        await SaveAsync(Confidential(clientId, secret));

        // Basic as Appendix B has it: "a:b" travels as "a%3Ab", "https://..." with its ':' and '/' escaped too.
        var basicCode = await Clients.IssueCodeAsync(clientId);
        using var basic = await PostFormAsync(CodeForm(basicCode), basic: BasicOf(clientId, secret));
        var basicBody = await basic.Content.ReadAsStringAsync();
        Assert.That(basic.StatusCode, Is.EqualTo(HttpStatusCode.OK), basicBody);

        var postCode = await Clients.IssueCodeAsync(clientId);
        var post = await RedeemAsync(new RegisteredClient(clientId, secret), postCode, ClientCredentialStyle.PostBody);
        Assert.That(post.IsError, Is.False, post.Raw);

        var refreshed = await CodeRedemption.RefreshAsync(Http, Host.TokenEndpoint, new RegisteredClient(clientId, secret), post.RefreshToken!);
        Assert.That(refreshed.IsError, Is.False, refreshed.Raw);
        Assert.Multiple(() =>
        {
            Assert.That(ClientIdOf(JsonDocument.Parse(basicBody).RootElement.GetProperty("access_token").GetString()!), Is.EqualTo(clientId));
            Assert.That(ClientIdOf(post.AccessToken!), Is.EqualTo(clientId));
            Assert.That(ClientIdOf(refreshed.AccessToken!), Is.EqualTo(clientId));
        });
    }

    [Test]
    public async Task AVscharClientId_WithAWrongSecret_IsInvalidClient()
    {
        const string clientId = "urn:example:wrong-secret";
        await SaveAsync(Confidential(clientId, ClientSecretHasher.GenerateSecret()));
        var code = await Clients.IssueCodeAsync(clientId);

        using var response = await PostFormAsync(CodeForm(code), basic: BasicOf(clientId, ClientSecretHasher.GenerateSecret()));

        await OAuthAssert.ClientAuthenticationFailedAsync(response, Logs, "wrong client secret", basicChallenge: true);
    }

    [Test]
    public async Task BasicCredentialsWithTheColonOfTheIdUnencoded_AreNotTakenForAnotherSplit()
    {
        // "a:b" + secret sent without Appendix B's encoding reads as id "a" and secret "b:<secret>": client "a" is unknown.
        var secret = ClientSecretHasher.GenerateSecret();
        await SaveAsync(Confidential("a:b", secret));
        var code = await Clients.IssueCodeAsync("a:b");

        using var response = await PostFormAsync(CodeForm(code), basic: Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"a:b:{secret}")));

        await OAuthAssert.ClientAuthenticationFailedAsync(response, Logs, "unknown client", basicChallenge: true);
    }

    [Test]
    public async Task AUrlClientId_IsStoredUnderAKeyTableStorageAccepts_WithTheIdInAColumn()
    {
        var clientId = $"https://app.example.com/{Guid.NewGuid():N}/client.json?v=1#x";
        await SaveAsync(Confidential(clientId, ClientSecretHasher.GenerateSecret()));

        var row = await Table(TableNames.Clients).GetEntityAsync<TableEntity>(ClientIdKeys.Of(clientId), ClientEntity.Row);

        Assert.Multiple(() =>
        {
            Assert.That(row.Value.PartitionKey.IndexOfAny(['/', '\\', '#', '?']), Is.EqualTo(-1));
            Assert.That(row.Value.GetString(nameof(ClientEntity.ClientId)), Is.EqualTo(clientId));
        });
    }

    [Test]
    public async Task AUrlClientIdsGrants_AreRevokedByClient_AndItsRegistrationRemoved()
    {
        var clientId = $"https://app.example.com/{Guid.NewGuid():N}/client.json";
        var secret = ClientSecretHasher.GenerateSecret();
        await SaveAsync(Confidential(clientId, secret));
        var client = new RegisteredClient(clientId, secret);
        var redeemed = await RedeemAsync(client, await Clients.IssueCodeAsync(clientId));
        Assert.That(redeemed.IsError, Is.False, redeemed.Raw);

        var report = await Host.Services.GetRequiredService<GrantMaintenance>().RevokeAllAsync(GrantIndexKeys.ByClient(clientId), CancellationToken.None);
        var refused = await CodeRedemption.RefreshAsync(Http, Host.TokenEndpoint, client, redeemed.RefreshToken!);
        var removed = await Host.Services.GetRequiredService<ClientStore>().RemoveAsync(clientId, CancellationToken.None);

        Assert.Multiple(async () =>
        {
            Assert.That(report, Is.EqualTo(new RevokeReport(1, 0)));
            Assert.That(refused.Error, Is.EqualTo(OAuthErrorCodes.InvalidGrant), refused.Raw);
            Assert.That(removed, Is.True);
            Assert.That(await Host.Services.GetRequiredService<ClientStore>().FindAsync(clientId, CancellationToken.None), Is.Null);
        });
    }

    [Test]
    public async Task AClientRowAndGrantIndexWrittenWithTodaysKeys_AreStillReadAuthenticatedAndRevoked()
    {
        // Written as the service wrote them before VSCHAR ids: PartitionKey = the id itself, no ClientId column, and the
        // grant index under "client:" + the id.
        var clientId = TestClients.NewId("legacy");
        var secret = ClientSecretHasher.GenerateSecret();
        await Table(TableNames.Clients).AddEntityAsync(new TableEntity(clientId, ClientEntity.Row)
        {
            [nameof(ClientEntity.SecretHash)] = ClientSecretHasher.Hash(secret),
            [nameof(ClientEntity.RedirectUris)] = TestClients.RedirectUri,
            [nameof(ClientEntity.Scopes)] = TestClients.Scope,
            [nameof(ClientEntity.GrantTypes)] = $"{GrantTypeNames.AuthorizationCode} {GrantTypeNames.RefreshToken}",
            [nameof(ClientEntity.AllowPlainPkce)] = false,
            [nameof(ClientEntity.CreatedAt)] = DateTimeOffset.UtcNow,
        });
        var client = new RegisteredClient(clientId, secret);

        var found = await Host.Services.GetRequiredService<ClientStore>().FindAsync(clientId, CancellationToken.None);
        var redeemed = await RedeemAsync(client, await Clients.IssueCodeAsync(clientId));
        Assert.That(redeemed.IsError, Is.False, redeemed.Raw);
        Assert.That(RefreshTokens.TryParse(redeemed.RefreshToken!, out var grantId, out _), Is.True);
        var legacyIndexRow = await Table(TableNames.GrantIndex).GetEntityIfExistsAsync<TableEntity>("client:" + clientId, grantId);
        var report = await Host.Services.GetRequiredService<GrantMaintenance>().RevokeAllAsync(GrantIndexKeys.ByClient(clientId), CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(found?.ClientId, Is.EqualTo(clientId));
            Assert.That(found?.IsPublic, Is.False);
            Assert.That(legacyIndexRow.HasValue, Is.True, "an id of the former characters keeps its former index key");
            Assert.That(report, Is.EqualTo(new RevokeReport(1, 0)));
        });
    }

    private static OAuthClient Confidential(string clientId, string secret) => new()
    {
        ClientId = clientId,
        SecretHash = ClientSecretHasher.Hash(secret),
        RedirectUris = [TestClients.RedirectUri],
        AllowedScopes = TestClients.Scope.Split(' ').ToHashSet(StringComparer.Ordinal),
        AllowedGrantTypes = TestClients.WithRefreshTokens,
    };

    // Replace: the ids of the acceptance are fixed names, registered again by each run against the same Azurite.
    private Task<bool> SaveAsync(OAuthClient client)
    {
        Assert.That(ClientRegistrationRules.Check(client, newSecret: null, allowLoopbackJwksUri: false), Is.Empty);
        return Host.Services.GetRequiredService<ClientStore>().SaveAsync(client, replace: true, CancellationToken.None);
    }

    private static TableClient Table(string name) => new TableServiceClient(TestEnvironment.Azurite.ConnectionString).GetTableClient(name);

    private static string ClientIdOf(string accessToken) => new JsonWebToken(accessToken).GetClaim("client_id").Value;
}
