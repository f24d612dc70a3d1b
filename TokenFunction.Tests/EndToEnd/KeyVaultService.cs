using System.Text.Json;
using Azure.Core;
using Duende.IdentityModel.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using TokenFunction.Hosting;
using TokenFunction.Tests.Infrastructure;
using TokenFunction.Tests.KeyVault;
using TokenFunction.Settings;

namespace TokenFunction.Tests.EndToEnd;

/// <summary>
/// The token service on the local host, signing in the Key Vault double: the production registration
/// (<c>AddKeyVaultSigning</c> from <c>Signing__*</c> settings) with only the transport pinned to the double, the
/// fixed-token credential, and a fake clock shared by the host and the double.
/// </summary>
internal sealed class KeyVaultService : IAsyncDisposable
{
    public const string KeyName = "token-signing";

    private KeyVaultService(FakeTimeProvider time, KeyVaultDouble vault, ServiceHost host, string firstVersion)
    {
        Time = time;
        Vault = vault;
        Host = host;
        FirstVersion = firstVersion;
        Clients = new TestClients(host.Services);
    }

    public FakeTimeProvider Time { get; }

    public KeyVaultDouble Vault { get; }

    public ServiceHost Host { get; }

    public TestClients Clients { get; }

    public HttpClient Http { get; } = new();

    /// <summary>The version the key had when the service started.</summary>
    public string FirstVersion { get; }

    public static string Setting(string name) => SettingNames.Of(SigningOptions.SectionName, name);

    /// <summary>
    /// Starts a vault whose key has one version, created <paramref name="keyAge"/> ago (by default two hours, long past
    /// any pre-publication), then the service on it. <paramref name="addVersion"/> creates that version (RSA 2048 by default).
    /// </summary>
    public static async Task<KeyVaultService> StartAsync(
        IDictionary<string, string?>? settings = null, Func<KeyVaultDouble, string>? addVersion = null, TimeSpan? keyAge = null)
    {
        DateTimeOffset now = DateTimeOffset.UtcNow;
        var time = new FakeTimeProvider(now - (keyAge ?? TimeSpan.FromHours(2)));
        KeyVaultDouble vault = await KeyVaultDouble.StartAsync(time);
        try
        {
            string version = (addVersion ?? (v => v.AddRsaVersion(KeyName)))(vault);

            // Tokens carry the host's clock in iat/exp and are validated against the real one: run it at real time.
            time.SetUtcNow(now);
            var configuration = new Dictionary<string, string?>
            {
                [SettingNames.SigningKeyVaultKeyId] = new Uri(vault.VaultUri, $"keys/{KeyName}").ToString(),
            };
            foreach ((string name, string? value) in settings ?? new Dictionary<string, string?>())
            {
                configuration[name] = value;
            }

            ServiceHost host = await ServiceHost.StartAsync(configuration, services =>
            {
                services.AddSingleton<TimeProvider>(time);
                services.AddSingleton<TokenCredential>(new FixedTokenCredential());

                // The production registration, before AddTokenService's: only the transport differs.
                services.AddKeyVaultSigning(options => options.Transport = vault.CreateTransport());
            });
            return new KeyVaultService(time, vault, host, version);
        }
        catch
        {
            await vault.DisposeAsync();
            throw;
        }
    }

    public async Task<RegisteredClient> AddClientAsync() => await Clients.AddConfidentialAsync();

    public async Task<IssuedCode> IssueCodeAsync(RegisteredClient client) => await Clients.IssueCodeAsync(client.ClientId);

    public Task<TokenResponse> RedeemAsync(RegisteredClient client, IssuedCode code) =>
        Http.RequestAuthorizationCodeTokenAsync(new AuthorizationCodeTokenRequest
        {
            Address = Host.TokenEndpoint.ToString(),
            ClientId = client.ClientId,
            ClientSecret = client.Secret,
            ClientCredentialStyle = ClientCredentialStyle.AuthorizationHeader,
            Code = code.Code,
            RedirectUri = TestClients.RedirectUri,
            CodeVerifier = code.Verifier,
        });

    /// <summary>A confidential client redeems a fresh code; the response must carry a token.</summary>
    public async Task<string> IssueTokenAsync(RegisteredClient client)
    {
        TokenResponse response = await RedeemAsync(client, await IssueCodeAsync(client));
        Assert.That(response.IsError, Is.False, response.Raw);
        return response.AccessToken!;
    }

    /// <summary>The <c>kid</c>s of the JWKS the host serves now.</summary>
    public async Task<IReadOnlyList<string>> PublishedKeyIdsAsync()
    {
        using JsonDocument jwks = JsonDocument.Parse(await Http.GetStringAsync(Host.JwksUri));
        return [.. jwks.RootElement.GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("kid").GetString()!)];
    }

    public async Task AssertValidAsync(string token)
    {
        var result = await JwtValidation.ValidateAsync(Http, Host.JwksUri, token, ServiceHost.Issuer, ServiceHost.Audience);
        Assert.That(result.IsValid, Is.True, result.Exception?.Message);
    }

    public static string Header(string token, string name)
    {
        string header = token.Split('.')[0];
        using JsonDocument document = JsonDocument.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(header));
        return document.RootElement.GetProperty(name).GetString()!;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Host.DisposeAsync();
        await Vault.DisposeAsync();
    }
}
