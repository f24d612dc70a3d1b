using Duende.IdentityModel.Client;
using Microsoft.Extensions.DependencyInjection;
using TokenFunction.Tests.Infrastructure;
using TokenFunction.Settings;

namespace TokenFunction.Tests.Cli;

/// <summary>The operator CLI, run as a process with the same settings the function app reads.</summary>
public sealed class TokenCtlTests
{
    private static readonly string TokenCtl = RepositoryRoot.Combine("TokenCtl", "bin", RepositoryRoot.Configuration, "net10.0", "tokenctl.dll");

    [Test]
    public async Task ClientAddThenCodeIssue_PrintsOnlyACodeThatTheServiceRedeems()
    {
        var clientId = TestClients.NewId("cli");
        var added = await RunAsync("client", "add", "--id", clientId, "--generate-secret", "--redirect-uri", TestClients.RedirectUri, "--scope", "orders:read");
        Assert.That(added.ExitCode, Is.EqualTo(0), added.StandardError);
        var secret = added.StandardOutput.Trim();
        Assert.That(secret, Does.Match("^[A-Za-z0-9_-]{43}$"), "a generated secret is printed once, in unreserved characters");

        var verifier = TestClients.NewVerifier();
        var issued = await RunAsync("code", "issue", "--client", clientId, "--redirect-uri", TestClients.RedirectUri,
            "--code-challenge", TokenFunction.Protocol.Pkce.ComputeS256Challenge(verifier), "--subject", "bob", "--scope", "orders:read");
        Assert.That(issued.ExitCode, Is.EqualTo(0), issued.StandardError);
        Assert.That(issued.StandardOutput, Does.Match("^[A-Za-z0-9_-]{43}\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\n$"), "stdout holds only the code, in the form that carries its grant");

        await using var host = await ServiceHost.StartAsync();
        using var http = new HttpClient();
        var response = await CodeRedemption.RedeemAsync(http, host.TokenEndpoint, new RegisteredClient(clientId, secret), new IssuedCode(issued.StandardOutput.Trim(), verifier));
        Assert.That(response.IsError, Is.False, response.Raw);
        Assert.That(response.Scope, Is.EqualTo("orders:read"));
    }

    [Test]
    public async Task CodeIssueWithCount_PrintsThatManyDistinctCodes_EachRedeemableWithTheOneVerifier()
    {
        var clientId = TestClients.NewId("clicount");
        var added = await RunAsync("client", "add", "--id", clientId, "--generate-secret", "--redirect-uri", TestClients.RedirectUri, "--scope", "orders:read");
        Assert.That(added.ExitCode, Is.EqualTo(0), added.StandardError);
        var client = new RegisteredClient(clientId, added.StandardOutput.Trim());

        var verifier = TestClients.NewVerifier();
        var issued = await RunAsync("code", "issue", "--client", clientId, "--redirect-uri", TestClients.RedirectUri,
            "--code-challenge", TokenFunction.Protocol.Pkce.ComputeS256Challenge(verifier), "--subject", "bob", "--count", "5");
        Assert.That(issued.ExitCode, Is.EqualTo(0), issued.StandardError);
        var codes = issued.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Multiple(() =>
        {
            Assert.That(issued.StandardOutput, Does.Match("^([A-Za-z0-9_-]{43}\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\n){5}$"), "stdout holds only the codes, one per line");
            Assert.That(codes.Distinct(StringComparer.Ordinal).Count(), Is.EqualTo(5), "every code is a new one");
        });

        await using var host = await ServiceHost.StartAsync();
        using var http = new HttpClient();
        foreach (var code in codes)
        {
            var response = await CodeRedemption.RedeemAsync(http, host.TokenEndpoint, client, new IssuedCode(code, verifier));
            Assert.That(response.IsError, Is.False, response.Raw);
            Assert.That(response.Scope, Is.EqualTo("orders:read"), "each code carries the same parameters");
        }
    }

    [Test]
    public async Task CodeIssueWithResource_StoresItOnTheCode_SoTheTokenIsForThatResourceAndNoOther()
    {
        const string orders = "https://orders.example.test/";
        const string reports = "https://reports.example.test/api";
        var clientId = TestClients.NewId("clires");
        var added = await RunAsync("client", "add", "--id", clientId, "--generate-secret", "--redirect-uri", TestClients.RedirectUri,
            "--resource", orders, "--resource", reports);
        Assert.That(added.ExitCode, Is.EqualTo(0), added.StandardError);
        var client = new RegisteredClient(clientId, added.StandardOutput.Trim());

        var verifier = TestClients.NewVerifier();
        var issued = await RunAsync("code", "issue", "--client", clientId, "--redirect-uri", TestClients.RedirectUri,
            "--code-challenge", TokenFunction.Protocol.Pkce.ComputeS256Challenge(verifier), "--subject", "bob", "--resource", orders);
        Assert.That(issued.ExitCode, Is.EqualTo(0), issued.StandardError);
        var code = new IssuedCode(issued.StandardOutput.Trim(), verifier);

        await using var host = await ServiceHost.StartAsync();
        using var http = new HttpClient();
        var refused = await CodeRedemption.RedeemAsync(http, host.TokenEndpoint, client, code, resources: [reports]);
        Assert.That(refused.Error, Is.EqualTo("invalid_target"), "registered for the client, but not on the code: " + refused.Raw);

        var response = await CodeRedemption.RedeemAsync(http, host.TokenEndpoint, client, code);
        Assert.That(response.IsError, Is.False, response.Raw);
        var validation = await JwtValidation.ValidateAsync(http, host.JwksUri, response.AccessToken!, ServiceHost.Issuer, orders);
        Assert.That(validation.IsValid, Is.True, validation.Exception?.Message);
    }

    [Test]
    public async Task CodeIssueWithAResourceNotRegisteredForTheClient_FailsWithOneLine()
    {
        var clientId = TestClients.NewId("clinores");
        Assert.That((await RunAsync("client", "add", "--id", clientId, "--generate-secret", "--redirect-uri", TestClients.RedirectUri,
            "--resource", "https://orders.example.test/")).ExitCode, Is.EqualTo(0));

        var result = await RunAsync("code", "issue", "--client", clientId, "--redirect-uri", TestClients.RedirectUri, "--subject", "s",
            "--resource", "https://billing.example.test/");

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.Not.EqualTo(0));
            Assert.That(OneLine(result.StandardError), Does.StartWith("tokenctl: ")
                .And.Contain($"resource 'https://billing.example.test/' is not registered for client '{clientId}'"));
            Assert.That(result.StandardOutput, Is.Empty, "no code is issued");
        });
    }

    [Test]
    public async Task ClientAdd_AllowsRefreshTokensByDefault_AndNotWithNoRefreshToken()
    {
        var withRefresh = TestClients.NewId("clirt");
        var without = TestClients.NewId("clinort");
        Assert.That((await RunAsync("client", "add", "--id", withRefresh, "--public", "--redirect-uri", TestClients.RedirectUri,
            "--refresh-idle-lifetime", "3600", "--refresh-absolute-lifetime", "86400")).ExitCode, Is.EqualTo(0));
        Assert.That((await RunAsync("client", "add", "--id", without, "--public", "--redirect-uri", TestClients.RedirectUri, "--no-refresh-token")).ExitCode, Is.EqualTo(0));

        var clients = Store();
        var allowed = (await clients.FindAsync(withRefresh, CancellationToken.None))!;
        var refused = (await clients.FindAsync(without, CancellationToken.None))!;

        Assert.Multiple(() =>
        {
            Assert.That(allowed.AllowedGrantTypes, Does.Contain("refresh_token"));
            Assert.That((allowed.RefreshIdleLifetimeSeconds, allowed.RefreshAbsoluteLifetimeSeconds), Is.EqualTo(((int?)3600, (int?)86400)));
            Assert.That(refused.AllowedGrantTypes, Does.Not.Contain("refresh_token"));
            Assert.That(refused.RefreshIdleLifetimeSeconds, Is.Null);
        });
    }

    [Test]
    public async Task ClientAddWithGrantClientCredentialsAndNoRedirectUri_RegistersAClientThatGetsATokenForItself()
    {
        var clientId = TestClients.NewId("clicc");
        var added = await RunAsync("client", "add", "--id", clientId, "--generate-secret", "--grant", "client_credentials", "--scope", "reports:read reports:write");
        Assert.That(added.ExitCode, Is.EqualTo(0), added.StandardError);
        var secret = added.StandardOutput.Trim();

        var registered = (await Store().FindAsync(clientId, CancellationToken.None))!;
        Assert.Multiple(() =>
        {
            Assert.That(registered.AllowedGrantTypes, Is.EquivalentTo(new[] { "client_credentials" }), "--grant means exactly the grants listed");
            Assert.That(registered.RedirectUris, Is.Empty);
        });

        await using var host = await ServiceHost.StartAsync();
        using var http = new HttpClient();
        var response = await http.RequestClientCredentialsTokenAsync(new ClientCredentialsTokenRequest
        {
            Address = host.TokenEndpoint.ToString(),
            ClientId = clientId,
            ClientSecret = secret,
            Scope = "reports:read",
        });
        Assert.That(response.IsError, Is.False, response.Raw);
        Assert.Multiple(() =>
        {
            Assert.That(response.Scope, Is.EqualTo("reports:read"));
            Assert.That(response.RefreshToken, Is.Null);
        });
    }

    [Test]
    public async Task ClientAddWithJwksFile_RegistersAPrivateKeyJwtClientWhoseAssertionsGetTokens()
    {
        using var key = ClientKeyPair.EcP256();
        var file = Path.Combine(Path.GetTempPath(), $"{Guid.NewGuid():N}.jwks.json");
        await File.WriteAllTextAsync(file, ClientKeyPair.Jwks(key));
        var clientId = TestClients.NewId("clijwks");
        try
        {
            var added = await RunAsync("client", "add", "--id", clientId, "--jwks", file, "--grant", "client_credentials", "--scope", "reports:read");
            Assert.That(added.ExitCode, Is.EqualTo(0), added.StandardError);
            Assert.That(added.StandardOutput, Is.Empty, "there is no secret to print");
        }
        finally
        {
            File.Delete(file);
        }

        var registered = (await Store().FindAsync(clientId, CancellationToken.None))!;
        Assert.Multiple(() =>
        {
            Assert.That(registered.UsesPrivateKeyJwt, Is.True);
            Assert.That(registered.SecretHash, Is.Null);
            Assert.That(registered.IsPublic, Is.False);
        });

        await using var host = await ServiceHost.StartAsync();
        using var http = new HttpClient();
        var response = await PrivateKeyJwtRequests.ClientCredentialsAsync(http, host.TokenEndpoint.ToString(), clientId, key.CreateAssertion(clientId, ServiceHost.Issuer, DateTimeOffset.UtcNow));
        Assert.That(response.IsError, Is.False, response.Raw);
    }

    [Test]
    public async Task ClientAddWithJwksUri_StoresTheUrl()
    {
        var clientId = TestClients.NewId("clijwksuri");

        var added = await RunAsync("client", "add", "--id", clientId, "--jwks-uri", "https://keys.example.test/jwks.json", "--grant", "client_credentials");

        Assert.That(added.ExitCode, Is.EqualTo(0), added.StandardError);
        var registered = (await Store().FindAsync(clientId, CancellationToken.None))!;
        Assert.That(registered.JwksUri, Is.EqualTo(new Uri("https://keys.example.test/jwks.json")));
    }

    [TestCase("https://10.0.0.1/jwks", "--jwks-uri 'https://10.0.0.1/jwks': the jwks_uri's host 10.0.0.1 is not a public address (private, RFC 1918)", TestName = "ClientAddWithAPrivateAddressJwksUri_FailsWithOneLine")]
    [TestCase("https://[fd00::1]/jwks", "host fd00::1 is not a public address (unique local", TestName = "ClientAddWithAUniqueLocalIpv6JwksUri_FailsWithOneLine")]
    [TestCase("https://169.254.169.254/latest/meta-data/", "host 169.254.169.254 is not a public address (link-local", TestName = "ClientAddWithTheCloudMetadataAddressAsJwksUri_FailsWithOneLine")]
    [TestCase("https://localhost/jwks", "must not point at localhost (ClientJwks__AllowLoopback=true allows it", TestName = "ClientAddWithALocalhostJwksUri_FailsWithOneLine")]
    [TestCase("https://127.0.0.1:8443/jwks", "host 127.0.0.1 is a loopback address", TestName = "ClientAddWithALoopbackAddressJwksUri_FailsWithOneLine")]
    [TestCase("http://127.0.0.1:5000/jwks", "the jwks_uri must use https", TestName = "ClientAddWithAPlainHttpLoopbackJwksUri_FailsWithOneLine")]
    public async Task ClientAddWithANonPublicJwksUri_IsRefusedUpFront(string uri, string message)
    {
        var clientId = TestClients.NewId("clissrf");

        var result = await RunAsync("client", "add", "--id", clientId, "--jwks-uri", uri, "--grant", "client_credentials");

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(2));
            Assert.That(OneLine(result.StandardError), Does.StartWith("tokenctl: --jwks-uri").And.Contain(message));
        });
        Assert.That(await Store().FindAsync(clientId, CancellationToken.None), Is.Null, "nothing was registered");
    }

    [TestCase("http://127.0.0.1:5000/jwks")]
    [TestCase("https://localhost/jwks")]
    public async Task ClientAddWithALoopbackJwksUri_IsAcceptedWhenClientJwksAllowLoopbackIsSet(string uri)
    {
        var clientId = TestClients.NewId("cliloop");

        var added = await RunWithAsync(new() { [SettingNames.ClientJwksAllowLoopback] = "true" }, "client", "add", "--id", clientId, "--jwks-uri", uri, "--grant", "client_credentials");

        Assert.That(added.ExitCode, Is.EqualTo(0), added.StandardError);
        Assert.That((await Store().FindAsync(clientId, CancellationToken.None))!.JwksUri, Is.EqualTo(new Uri(uri)));
    }

    [Test]
    public async Task ClientAddWithAnInvalidClientJwksSetting_FailsNamingTheSetting()
    {
        var result = await RunWithAsync(new() { [SettingNames.ClientJwksFetchTimeoutSeconds] = "0" }, "client", "add", "--id", TestClients.NewId("clibad"), "--jwks-uri", "https://keys.example.test/jwks.json", "--grant", "client_credentials");

        Assert.That(result.ExitCode, Is.Not.EqualTo(0));
        Assert.That(OneLine(result.StandardError), Does.StartWith("tokenctl: ").And.Contain("ClientJwks__FetchTimeoutSeconds"));
    }

    [Test]
    public async Task ASettingOfTheWrongType_FailsWithOneLineNamingTheSetting_NotAStackTrace()
    {
        var result = await RunWithAsync(new() { [SettingNames.ClientJwksAllowLoopback] = "yes" }, "client", "add", "--id", TestClients.NewId("clitype"), "--jwks-uri", "https://keys.example.test/jwks.json", "--grant", "client_credentials");

        Assert.That(result.ExitCode, Is.EqualTo(1), result.StandardError);
        Assert.That(result.StandardError.Trim(), Does.StartWith("tokenctl: ").And.Contain("'ClientJwks__AllowLoopback'").And.Not.Contain("   at "));
        Assert.That(result.StandardError.Trim().Split('\n'), Has.Length.EqualTo(1));
    }

    [TestCase("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", TestName = "ClientAddWithARepeatedCharacterSecret_FailsWithOneLine")]
    [TestCase("abcdefghijklmnopqrstuvwxyz0123456789ABCD", TestName = "ClientAddWithASequentialSecret_FailsWithOneLine")]
    [TestCase("passwordpasswordpassword12345678", TestName = "ClientAddWithAPaddedPasswordSecret_FailsWithOneLine")]
    [TestCase("correcthorsebatterystaple111111111111111", TestName = "ClientAddWithAPaddedPassphraseSecret_FailsWithOneLine")]
    public async Task ClientAddWithALowEntropySecret_IsRefused_SayingTheEstimateAndRecommendingGenerateSecret(string secret)
    {
        var clientId = TestClients.NewId("cliweak");

        var result = await RunAsync("client", "add", "--id", clientId, "--secret", secret, "--redirect-uri", TestClients.RedirectUri);

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(2));
            Assert.That(OneLine(result.StandardError), Does.StartWith("tokenctl: --secret is too easy to guess: about ")
                .And.Match(@"about \d+ bits").And.Contain("at least 128").And.Contain("--generate-secret"));
            Assert.That(result.StandardError, Does.Not.Contain(secret), "the secret is not echoed");
        });
        Assert.That(await Store().FindAsync(clientId, CancellationToken.None), Is.Null, "nothing was registered");
    }

    [Test]
    public async Task ClientAddWithARandomSecret_StoresOnlyItsHash_AndTheSecretAuthenticates()
    {
        var clientId = TestClients.NewId("clistrong");
        var secret = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

        var added = await RunAsync("client", "add", "--id", clientId, "--secret", secret, "--grant", "client_credentials");

        Assert.That(added.ExitCode, Is.EqualTo(0), added.StandardError);
        Assert.That(added.StandardOutput, Is.Empty, "a secret given is not printed back");
        var registered = (await Store().FindAsync(clientId, CancellationToken.None))!;
        Assert.That(registered.SecretHash, Does.Not.Contain(secret));
        Assert.That(TokenFunction.Clients.ClientSecretHasher.Verify(secret, registered.SecretHash!), Is.True);
    }

    [TestCase("{\"keys\":[]}", "no signing key", TestName = "ClientAddWithAnEmptyJwks_FailsWithOneLine")]
    [TestCase("not json", "not valid JSON", TestName = "ClientAddWithAJwksThatIsNotJson_FailsWithOneLine")]
    [TestCase("private", "private or symmetric member 'd'", TestName = "ClientAddWithAPrivateKeyInTheJwks_FailsWithOneLine")]
    public async Task ClientAddWithAnUnusableJwksFile_IsRefused(string content, string message)
    {
        var file = Path.Combine(Path.GetTempPath(), $"{Guid.NewGuid():N}.jwks.json");
        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        var p = rsa.ExportParameters(includePrivateParameters: true);
        var json = content == "private"
            ? System.Text.Json.JsonSerializer.Serialize(new { keys = new[] { new { kty = "RSA", n = B64(p.Modulus!), e = B64(p.Exponent!), d = B64(p.D!) } } })
            : content;
        await File.WriteAllTextAsync(file, json);
        try
        {
            var result = await RunAsync("client", "add", "--id", TestClients.NewId("badjwks"), "--jwks", file, "--grant", "client_credentials");

            Assert.Multiple(() =>
            {
                Assert.That(result.ExitCode, Is.Not.EqualTo(0));
                Assert.That(OneLine(result.StandardError), Does.StartWith("tokenctl: --jwks").And.Contain(message));
            });
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Test]
    public async Task ClientAddWithSeveralGrants_AllowsExactlyThose()
    {
        var clientId = TestClients.NewId("cliall");
        var added = await RunAsync("client", "add", "--id", clientId, "--generate-secret", "--redirect-uri", TestClients.RedirectUri,
            "--grant", "authorization_code", "--grant", "client_credentials");
        Assert.That(added.ExitCode, Is.EqualTo(0), added.StandardError);

        var registered = (await Store().FindAsync(clientId, CancellationToken.None))!;
        Assert.That(registered.AllowedGrantTypes, Is.EquivalentTo(new[] { "authorization_code", "client_credentials" }), "no refresh_token unless listed");
    }

    [Test]
    public async Task ClientRemove_DeletesTheRegistrationAndRevokesItsGrants_AndASecondRemoveFails()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await ServiceHost.StartAsync(services: s => s.AddSingleton<TimeProvider>(clock));
        var clients = new TestClients(host.Services);
        var client = await clients.AddConfidentialAsync(grantTypes: TestClients.WithRefreshTokens);
        using var http = new HttpClient();
        var redeemed = await CodeRedemption.RedeemAsync(http, host.TokenEndpoint, client, await clients.IssueCodeAsync(client.ClientId));
        Assert.That(redeemed.RefreshToken, Is.Not.Null, redeemed.Raw);

        var removed = await RunAsync("client", "remove", "--id", client.ClientId);
        var again = await RunAsync("client", "remove", "--id", client.ClientId);

        Assert.Multiple(() =>
        {
            Assert.That(removed.ExitCode, Is.EqualTo(0), removed.StandardError);
            Assert.That(removed.StandardOutput.Trim(), Is.EqualTo($"removed client '{client.ClientId}'; revoked 1 grant(s); skipped 0 unreadable grant row(s)"));
            Assert.That(again.ExitCode, Is.Not.EqualTo(0));
            Assert.That(OneLine(again.StandardError), Does.Contain($"no client '{client.ClientId}'"));
        });
        Assert.That(await Store().FindAsync(client.ClientId, CancellationToken.None), Is.Null);
        var root = await host.Services.GetRequiredService<TokenFunction.Storage.AuthorizationCodeStore>().FindByGrantAsync(
            TokenFunction.Grants.RefreshTokens.TryParse(redeemed.RefreshToken!, out var grantId, out _) ? grantId : string.Empty, CancellationToken.None);
        Assert.That(root?.RevokedAt, Is.Not.Null, "the grant is revoked, so the purge takes it within the hour");
        var refused = await CodeRedemption.RefreshAsync(http, host.TokenEndpoint, client, redeemed.RefreshToken!);
        Assert.That(refused.Error, Is.EqualTo(TokenFunction.Protocol.OAuthErrorCodes.InvalidGrant), "the grant stops at once, while the instance may still know the client: " + refused.Raw);

        clock.Advance(TimeSpan.FromSeconds(new ClientsOptions().CacheSeconds));
        var unknown = await CodeRedemption.RefreshAsync(http, host.TokenEndpoint, client, redeemed.RefreshToken!);
        Assert.That(unknown.HttpStatusCode, Is.EqualTo(System.Net.HttpStatusCode.Unauthorized), "the client itself is refused within Clients__CacheSeconds: " + unknown.Raw);
    }

    [Test]
    public async Task GrantRevokeBySubject_RevokesThatUsersGrants_AndPurgeRuns()
    {
        await using var host = await ServiceHost.StartAsync();
        var clients = new TestClients(host.Services);
        var client = await clients.AddPublicAsync(grantTypes: TestClients.WithRefreshTokens);
        var subject = "grace-" + Guid.NewGuid().ToString("N");
        using var http = new HttpClient();
        var redeemed = await CodeRedemption.RedeemAsync(http, host.TokenEndpoint, client, await clients.IssueCodeAsync(client.ClientId, subject: subject));
        Assert.That(redeemed.RefreshToken, Is.Not.Null, redeemed.Raw);

        var revoke = await RunAsync("grant", "revoke", "--subject", subject);
        var purge = await RunAsync("purge", "--batch-size", "50");

        Assert.Multiple(() =>
        {
            Assert.That(revoke.ExitCode, Is.EqualTo(0), revoke.StandardError);
            Assert.That(revoke.StandardOutput.Trim(), Is.EqualTo("revoked 1 grant(s); skipped 0 unreadable grant row(s)"));
            Assert.That(purge.ExitCode, Is.EqualTo(0), purge.StandardError);
            Assert.That(purge.StandardOutput, Does.StartWith("visited "));
        });
        var refused = await CodeRedemption.RefreshAsync(http, host.TokenEndpoint, client, redeemed.RefreshToken!);
        Assert.That(refused.Error, Is.EqualTo(TokenFunction.Protocol.OAuthErrorCodes.InvalidGrant), refused.Raw);
    }

    [Test]
    public async Task ClientAddOfAnExistingId_FailsWithOneLineUnlessReplace()
    {
        var clientId = TestClients.NewId("dup");
        string[] add = ["client", "add", "--id", clientId, "--public", "--redirect-uri", TestClients.RedirectUri];
        Assert.That((await RunAsync(add)).ExitCode, Is.EqualTo(0));

        var again = await RunAsync(add);
        var replaced = await RunAsync([.. add, "--replace"]);

        Assert.Multiple(() =>
        {
            Assert.That(again.ExitCode, Is.Not.EqualTo(0));
            Assert.That(OneLine(again.StandardError), Does.Contain("already exists").And.Contain("--replace"));
            Assert.That(replaced.ExitCode, Is.EqualTo(0), replaced.StandardError);
        });
    }

    [TestCase(new[] { "code", "issue", "--client", "nobody-registered-this", "--redirect-uri", "https://x.test/cb", "--code-challenge", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGF8y8iEWM", "--subject", "s" }, "no client", TestName = "CodeIssueForUnknownClient_FailsWithOneLine")]
    [TestCase(new[] { "client", "add", "--id", "x", "--secret", "short", "--redirect-uri", "https://x.test/cb" }, "at least 32", TestName = "ClientAddWithShortSecret_FailsWithOneLine")]
    [TestCase(new[] { "client", "add", "--id", "x", "--public", "--redirect-uri", "https://x.test/cb#frag" }, "fragment", TestName = "ClientAddWithFragmentInRedirectUri_FailsWithOneLine")]
    [TestCase(new[] { "client", "add", "--id", "x", "--public", "--redirect-uri", "/callback" }, "absolute URI", TestName = "ClientAddWithRelativeRedirectUri_FailsWithOneLine")]
    [TestCase(new[] { "client", "add", "--id", "x", "--generate-secret", "--grant", "client_credentials", "--resource", "https://api.x.test/#frag" }, "--resource 'https://api.x.test/#frag' must be an absolute URI without a fragment", TestName = "ClientAddWithFragmentInResource_FailsWithOneLine")]
    [TestCase(new[] { "client", "add", "--id", "x", "--generate-secret", "--grant", "client_credentials", "--resource", "api/orders" }, "--resource 'api/orders' must be an absolute URI", TestName = "ClientAddWithRelativeResource_FailsWithOneLine")]
    [TestCase(new[] { "code", "issue", "--client", "x", "--redirect-uri", "https://x.test/cb", "--subject", "s", "--resource", "https://api.x.test/#frag" }, "--resource 'https://api.x.test/#frag' must be an absolute URI without a fragment", TestName = "CodeIssueWithFragmentInResource_FailsWithOneLine")]
    [TestCase(new[] { "code", "issue", "--client", "x", "--redirect-uri", "https://x.test/cb", "--subject", "s", "--resource", "api/orders" }, "--resource 'api/orders' must be an absolute URI", TestName = "CodeIssueWithRelativeResource_FailsWithOneLine")]
    [TestCase(new[] { "code", "issue", "--client", "x", "--redirect-uri", "https://x.test/cb", "--subject", "s", "--count", "0" }, "--count must be 1 to 100000", TestName = "CodeIssueWithZeroCount_FailsWithOneLine")]
    [TestCase(new[] { "code", "issue", "--client", "x", "--redirect-uri", "https://x.test/cb", "--subject", "s", "--count", "100001" }, "--count must be 1 to 100000", TestName = "CodeIssueWithTooLargeCount_FailsWithOneLine")]
    [TestCase(new[] { "client", "add", "--id", "x", "--public", "--redirect-uri", "https://x.test/cb", "--colour", "red" }, "unknown option --colour", TestName = "UnknownOption_FailsWithOneLine")]
    [TestCase(new[] { "client", "add", "--id", "x", "--public", "--redirect-uri", "https://x.test/cb", "--refresh-idle-lifetime", "30" }, "--refresh-idle-lifetime must be", TestName = "ClientAddWithTooShortRefreshLifetime_FailsWithOneLine")]
    [TestCase(new[] { "client", "add", "--id", "x", "--public", "--redirect-uri", "https://x.test/cb", "--no-refresh-token", "--refresh-absolute-lifetime", "600" }, "--no-refresh-token", TestName = "ClientAddWithRefreshLifetimeAndNoRefreshToken_FailsWithOneLine")]
    [TestCase(new[] { "client", "add", "--id", "x", "--generate-secret", "--grant", "password" }, "unknown --grant 'password'", TestName = "ClientAddWithUnknownGrant_FailsWithOneLine")]
    [TestCase(new[] { "client", "add", "--id", "x", "--public", "--grant", "client_credentials" }, "public client cannot use the client_credentials grant", TestName = "ClientAddPublicWithClientCredentials_FailsWithOneLine")]
    [TestCase(new[] { "client", "add", "--id", "x", "--generate-secret", "--grant", "authorization_code" }, "--redirect-uri is required for the authorization_code grant", TestName = "ClientAddWithAuthorizationCodeGrantAndNoRedirectUri_FailsWithOneLine")]
    [TestCase(new[] { "client", "add", "--id", "x", "--generate-secret" }, "--redirect-uri is required", TestName = "ClientAddWithDefaultGrantsAndNoRedirectUri_FailsWithOneLine")]
    [TestCase(new[] { "client", "add", "--id", "x", "--generate-secret", "--grant", "client_credentials", "--redirect-uri", "https://x.test/cb" }, "--redirect-uri makes no sense", TestName = "ClientAddWithRedirectUriButNoAuthorizationCodeGrant_FailsWithOneLine")]
    [TestCase(new[] { "client", "add", "--id", "x", "--generate-secret", "--grant", "client_credentials", "--no-refresh-token" }, "--no-refresh-token makes no sense with --grant", TestName = "ClientAddWithGrantAndNoRefreshToken_FailsWithOneLine")]
    [TestCase(new[] { "client", "add", "--id", "x", "--generate-secret", "--grant", "refresh_token", "--grant", "client_credentials" }, "needs --grant authorization_code", TestName = "ClientAddWithRefreshTokenGrantButNoAuthorizationCode_FailsWithOneLine")]
    [TestCase(new[] { "client", "add", "--id", "x", "--generate-secret", "--redirect-uri", "https://x.test/cb", "--grant", "authorization_code", "--refresh-idle-lifetime", "600" }, "without --grant refresh_token", TestName = "ClientAddWithRefreshLifetimeButNoRefreshTokenGrant_FailsWithOneLine")]
    [TestCase(new[] { "grant", "revoke", "--subject", "s", "--client", "c" }, "exactly one of --subject", TestName = "GrantRevokeWithSubjectAndClient_FailsWithOneLine")]
    [TestCase(new[] { "client", "add", "--id", "x", "--jwks-uri", "http://keys.example.test/jwks.json", "--grant", "client_credentials" }, "https", TestName = "ClientAddWithAPlainHttpJwksUri_FailsWithOneLine")]
    [TestCase(new[] { "client", "add", "--id", "x", "--jwks-uri", "https://keys.example.test/jwks.json", "--generate-secret", "--grant", "client_credentials" }, "exactly one of", TestName = "ClientAddWithJwksUriAndASecret_FailsWithOneLine")]
    [TestCase(new[] { "client", "add", "--id", "x", "--jwks", "/nonexistent/keys.json", "--grant", "client_credentials" }, "cannot be read", TestName = "ClientAddWithAMissingJwksFile_FailsWithOneLine")]
    [TestCase(new[] { "code", "issue", "--client", "x", "--redirect-uri", "https://x.test/cb", "--subject", "s", "--dpop-jkt", "not a thumbprint" }, "--dpop-jkt must be a JWK SHA-256 thumbprint", TestName = "CodeIssueWithAMalformedDpopJkt_FailsWithOneLine")]
    [TestCase(new[] { "frobnicate" }, "unknown command", TestName = "UnknownCommand_FailsWithUsage")]
    public async Task InvalidCommand_ExitsNonZeroWithAMessage(string[] arguments, string message)
    {
        var result = await RunAsync(arguments);

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.Not.EqualTo(0));
            Assert.That(OneLine(result.StandardError), Does.StartWith("tokenctl: ").And.Contain(message));
            Assert.That(result.StandardOutput, Is.Empty);
        });
    }

    [TestCase("client", "add", "--id", "a\u0001b", TestName = "ClientAddWithAControlCharacterInTheId_IsRefusedSayingWhatAnIdMayHold")]
    [TestCase("client", "add", "--id", "caf\u00e9", TestName = "ClientAddWithANonAsciiId_IsRefusedSayingWhatAnIdMayHold")]
    [TestCase("client", "add", "--id", null, TestName = "ClientAddWithA256CharacterId_IsRefusedSayingWhatAnIdMayHold")]
    [TestCase("client", "remove", "--id", "a\tb", TestName = "ClientRemoveWithAControlCharacterInTheId_IsRefusedSayingWhatAnIdMayHold")]
    [TestCase("grant", "revoke", "--client", null, TestName = "GrantRevokeWithA256CharacterClientId_IsRefusedSayingWhatAnIdMayHold")]
    public async Task AClientIdOutsideRfc6749_IsRefusedByTokenctl(string command, string verb, string option, string? id)
    {
        id ??= "urn:" + new string('x', 252);
        string[] arguments = command == "client" && verb == "add"
            ? [command, verb, option, id, "--public", "--redirect-uri", TestClients.RedirectUri]
            : [command, verb, option, id];

        var result = await RunAsync(arguments);

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.Not.EqualTo(0));
            Assert.That(OneLine(result.StandardError), Does.StartWith("tokenctl: ").And.Contain($"{option} must be 1 to 255 printable ASCII characters"));
        });
    }

    [Test]
    public async Task ClientAddWithRequireDpop_RegistersDpopBoundAccessTokens_AndWithoutItDoesNot()
    {
        var bound = TestClients.NewId("dpopcli");
        var plain = TestClients.NewId("plaincli");

        var addedBound = await RunAsync("client", "add", "--id", bound, "--public", "--redirect-uri", TestClients.RedirectUri, "--require-dpop");
        var addedPlain = await RunAsync("client", "add", "--id", plain, "--public", "--redirect-uri", TestClients.RedirectUri);

        Assert.Multiple(async () =>
        {
            Assert.That(addedBound.ExitCode, Is.EqualTo(0), addedBound.StandardError);
            Assert.That(addedPlain.ExitCode, Is.EqualTo(0), addedPlain.StandardError);
            Assert.That((await Store().FindAsync(bound, CancellationToken.None))?.RequireDpop, Is.True);
            Assert.That((await Store().FindAsync(plain, CancellationToken.None))?.RequireDpop, Is.False);
        });
    }

    [Test]
    public async Task CodeIssueWithDpopJkt_BindsTheCodeToThatKey_SoOnlyItsProofRedeemsIt()
    {
        using var key = DpopKey.Ec();
        var clientId = TestClients.NewId("clijkt");
        Assert.That((await RunAsync("client", "add", "--id", clientId, "--public", "--redirect-uri", TestClients.RedirectUri)).ExitCode, Is.EqualTo(0));
        var verifier = TestClients.NewVerifier();
        var issued = await RunAsync("code", "issue", "--client", clientId, "--redirect-uri", TestClients.RedirectUri,
            "--code-challenge", TokenFunction.Protocol.Pkce.ComputeS256Challenge(verifier), "--subject", "bob", "--dpop-jkt", key.Thumbprint);
        Assert.That(issued.ExitCode, Is.EqualTo(0), issued.StandardError);
        var code = new IssuedCode(issued.StandardOutput.Trim(), verifier);

        await using var host = await ServiceHost.StartAsync();
        using var http = new HttpClient();
        var withoutProof = await CodeRedemption.RedeemAsync(http, host.TokenEndpoint, new RegisteredClient(clientId, null), code);
        using var withProof = new AuthorizationCodeTokenRequest
        {
            Address = host.TokenEndpoint.ToString(),
            ClientId = clientId,
            ClientCredentialStyle = ClientCredentialStyle.PostBody,
            Code = code.Code,
            RedirectUri = TestClients.RedirectUri,
            CodeVerifier = verifier,
        };
        withProof.Headers.TryAddWithoutValidation("DPoP", key.Proof(new Uri($"{ServiceHost.Issuer}/{TokenFunction.Functions.Routes.Token}"), DateTimeOffset.UtcNow));
        var redeemed = await http.RequestAuthorizationCodeTokenAsync(withProof);

        Assert.Multiple(() =>
        {
            Assert.That(withoutProof.Error, Is.EqualTo("invalid_grant"), withoutProof.Raw);
            Assert.That(redeemed.IsError, Is.False, redeemed.Raw);
            Assert.That(redeemed.TokenType, Is.EqualTo("DPoP"));
        });
    }

    [Test]
    public async Task ClientAddAndRemove_OfAUrlClientId_RegistersItAndRemovesIt()
    {
        var clientId = $"https://app.example.com/{Guid.NewGuid():N}/client.json";

        var added = await RunAsync("client", "add", "--id", clientId, "--public", "--redirect-uri", TestClients.RedirectUri);
        var registered = await Store().FindAsync(clientId, CancellationToken.None);
        var removed = await RunAsync("client", "remove", "--id", clientId);

        Assert.Multiple(async () =>
        {
            Assert.That(added.ExitCode, Is.EqualTo(0), added.StandardError);
            Assert.That(registered?.ClientId, Is.EqualTo(clientId));
            Assert.That(removed.ExitCode, Is.EqualTo(0), removed.StandardError);
            Assert.That(await Store().FindAsync(clientId, CancellationToken.None), Is.Null);
        });
    }

    [Test]
    public async Task CodeIssueForPublicClientWithoutChallenge_IsRefused()
    {
        var clientId = TestClients.NewId("pubcli");
        Assert.That((await RunAsync("client", "add", "--id", clientId, "--public", "--redirect-uri", TestClients.RedirectUri)).ExitCode, Is.EqualTo(0));

        var result = await RunAsync("code", "issue", "--client", clientId, "--redirect-uri", TestClients.RedirectUri, "--subject", "s");

        Assert.That(result.ExitCode, Is.Not.EqualTo(0));
        Assert.That(OneLine(result.StandardError), Does.Contain("PKCE"));
    }

    [Test]
    public async Task UnreachableStorage_FailsWithOneLineNotAStackTrace()
    {
        var closed = TestEnvironment.Azurite.ConnectionString.Replace($":{TestEnvironment.Azurite.Port}/", $":{FreePort.Next()}/", StringComparison.Ordinal);
        var result = await ProcessRunner.RunAsync("dotnet", [TokenCtl, "client", "add", "--id", "x", "--public", "--redirect-uri", "https://x.test/cb"],
            new Dictionary<string, string?> { [SettingNames.TablesConnectionString] = closed }, TimeSpan.FromMinutes(2));

        Assert.That(result.ExitCode, Is.Not.EqualTo(0));
        Assert.That(OneLine(result.StandardError), Does.StartWith("tokenctl: ").And.Contain("table storage"));
    }

    [Test]
    public async Task GrantRevokeBySubjectOrClient_AndClientRemove_SkipADamagedGrant_FinishTheRest_AndSaySo()
    {
        await using var host = await ServiceHost.StartAsync();
        var clients = new TestClients(host.Services);
        var client = await clients.AddConfidentialAsync(grantTypes: TestClients.WithRefreshTokens);
        using var http = new HttpClient();
        var healthy = await CodeRedemption.RedeemAsync(http, host.TokenEndpoint, client, await clients.IssueCodeAsync(client.ClientId));
        var subject = "damaged-" + Guid.NewGuid().ToString("N");
        await DamagedRows.IssueCodeAsync(client.ClientId, Damage.LoneSurrogate, DateTimeOffset.UtcNow, subject);

        var bySubject = await RunAsync("grant", "revoke", "--subject", subject);
        var revoke = await RunAsync("grant", "revoke", "--client", client.ClientId);
        var remove = await RunAsync("client", "remove", "--id", client.ClientId);

        Assert.Multiple(() =>
        {
            Assert.That(bySubject.ExitCode, Is.EqualTo(0), bySubject.StandardError);
            Assert.That(bySubject.StandardOutput.Trim(), Is.EqualTo("revoked 0 grant(s); skipped 1 unreadable grant row(s)"));
            Assert.That(revoke.ExitCode, Is.EqualTo(0), revoke.StandardError);
            Assert.That(revoke.StandardOutput.Trim(), Is.EqualTo("revoked 1 grant(s); skipped 1 unreadable grant row(s)"));
            Assert.That(remove.ExitCode, Is.EqualTo(0), remove.StandardError);
            Assert.That(remove.StandardOutput.Trim(), Is.EqualTo($"removed client '{client.ClientId}'; revoked 0 grant(s); skipped 1 unreadable grant row(s)"));
        });
        var refused = await CodeRedemption.RefreshAsync(http, host.TokenEndpoint, client, healthy.RefreshToken!);
        Assert.That(refused.IsError, Is.True, "the healthy grant was revoked: " + refused.Raw);
    }

    [Test]
    public async Task Purge_ReportsTheUnreadableGrantsItDeleted()
    {
        var clientId = TestClients.NewId("purgecli");
        Assert.That((await RunAsync("client", "add", "--id", clientId, "--public", "--redirect-uri", TestClients.RedirectUri)).ExitCode, Is.EqualTo(0));
        // Written two hours ago: its expiry index row is due now.
        await DamagedRows.IssueCodeAsync(clientId, Damage.WrongType, DateTimeOffset.UtcNow.AddHours(-2));

        var purge = await RunAsync("purge", "--batch-size", "50");

        Assert.That(purge.ExitCode, Is.EqualTo(0), purge.StandardError);
        Assert.That(purge.StandardOutput, Does.Match(@"; [1-9]\d* of the grants had an unreadable row"), purge.StandardOutput);
    }

    [Test]
    public async Task CodeIssueWithTheClientsOwnIdAsSubject_IsRefused()
    {
        var clientId = TestClients.NewId("selfsub");
        Assert.That((await RunAsync("client", "add", "--id", clientId, "--generate-secret", "--redirect-uri", TestClients.RedirectUri)).ExitCode, Is.EqualTo(0));

        var result = await RunAsync("code", "issue", "--client", clientId, "--redirect-uri", TestClients.RedirectUri, "--subject", clientId);

        Assert.That(result.ExitCode, Is.Not.EqualTo(0));
        Assert.That(OneLine(result.StandardError), Does.Contain("--subject"));
    }

    private static TokenFunction.Storage.ClientStore Store() => new(
        new TokenFunction.Storage.TokenTables(new Azure.Data.Tables.TableServiceClient(TestEnvironment.Azurite.ConnectionString), createTablesIfMissing: true), TimeProvider.System);

    private static Task<ProcessResult> RunAsync(params string[] arguments) => RunWithAsync([], arguments);

    /// <summary>Runs tokenctl with <paramref name="settings"/> in its environment on top of the storage connection.</summary>
    private static Task<ProcessResult> RunWithAsync(Dictionary<string, string?> settings, params string[] arguments) =>
        ProcessRunner.RunAsync("dotnet", [TokenCtl, .. arguments],
            new Dictionary<string, string?>(settings) { [SettingNames.TablesConnectionString] = TestEnvironment.Azurite.ConnectionString }, TimeSpan.FromMinutes(1));

    private static string B64(byte[] bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);

    private static string OneLine(string text)
    {
        Assert.That(text.TrimEnd('\n'), Does.Not.Contain('\n'), "errors are one line");
        return text;
    }
}
