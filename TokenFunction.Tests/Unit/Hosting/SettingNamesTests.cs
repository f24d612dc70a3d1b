using TokenFunction.Settings;

namespace TokenFunction.Tests.Unit.Hosting;

public class SettingNamesTests
{
    [Test]
    public void SettingNames_UseDoubleUnderscoreEnvironmentForm()
    {
        Assert.Multiple(() =>
        {
            Assert.That(SettingNames.TokenIssuer, Is.EqualTo("Token__Issuer"));
            Assert.That(SettingNames.TokenAudience, Is.EqualTo("Token__Audience"));
            Assert.That(SettingNames.TokenAccessTokenLifetimeSeconds, Is.EqualTo("Token__AccessTokenLifetimeSeconds"));
            Assert.That(SettingNames.TablesServiceUri, Is.EqualTo("Tables__ServiceUri"));
            Assert.That(SettingNames.TablesConnectionString, Is.EqualTo("Tables__ConnectionString"));
            Assert.That(SettingNames.SigningLocalKeyPath, Is.EqualTo("Signing__LocalKeyPath"));
            Assert.That(SettingNames.SigningKeyVaultKeyId, Is.EqualTo("Signing__KeyVaultKeyId"));
            Assert.That(SettingNames.TokenRefreshTokenIdleLifetimeSeconds, Is.EqualTo("Token__RefreshTokenIdleLifetimeSeconds"));
            Assert.That(SettingNames.TokenRefreshTokenAbsoluteLifetimeSeconds, Is.EqualTo("Token__RefreshTokenAbsoluteLifetimeSeconds"));
            Assert.That(SettingNames.TokenRefreshReuseGraceSeconds, Is.EqualTo("Token__RefreshReuseGraceSeconds"));
            Assert.That(SettingNames.ClientJwksFetchTimeoutSeconds, Is.EqualTo("ClientJwks__FetchTimeoutSeconds"));
            Assert.That(SettingNames.ClientJwksMaxResponseBytes, Is.EqualTo("ClientJwks__MaxResponseBytes"));
            Assert.That(SettingNames.ClientJwksCacheSeconds, Is.EqualTo("ClientJwks__CacheSeconds"));
            Assert.That(SettingNames.ClientJwksMinRefetchSeconds, Is.EqualTo("ClientJwks__MinRefetchSeconds"));
            Assert.That(SettingNames.ClientJwksStaleSeconds, Is.EqualTo("ClientJwks__StaleSeconds"));
            Assert.That(SettingNames.TokenStorageBudgetSeconds, Is.EqualTo("Token__StorageBudgetSeconds"));
            Assert.That(SettingNames.TokenCodeRetryGraceSeconds, Is.EqualTo("Token__CodeRetryGraceSeconds"));
            Assert.That(SettingNames.ThrottlingMaxFailedAuthentications, Is.EqualTo("Throttling__MaxFailedAuthentications"));
            Assert.That(SettingNames.ThrottlingWindowSeconds, Is.EqualTo("Throttling__WindowSeconds"));
            Assert.That(SettingNames.ClientJwksAllowLoopback, Is.EqualTo("ClientJwks__AllowLoopback"));
            Assert.That(SettingNames.CorsAllowedOrigins, Is.EqualTo("Cors__AllowedOrigins"));
        });
    }

    [Test]
    public void RefreshSettings_AreOptional_SoTheTemplateNeedNotSetThem()
    {
        Assert.Multiple(() =>
        {
            Assert.That(SettingNames.All, Does.Contain(SettingNames.TokenRefreshTokenIdleLifetimeSeconds).And.Contain(SettingNames.TokenRefreshReuseGraceSeconds));
            Assert.That(SettingNames.RequiredInAzure, Has.None.StartsWith("Token__Refresh"));
        });
    }

    [Test]
    public void RequiredInAzure_AreAllKnownSettings()
    {
        Assert.That(SettingNames.RequiredInAzure, Is.SubsetOf(SettingNames.All));
    }

    [Test]
    public void All_ListsEverySettingOnce()
    {
        Assert.Multiple(() =>
        {
            Assert.That(SettingNames.All, Is.Unique);
            Assert.That(SettingNames.All, Does.Contain("Signing__GenerateLocalKeyIfMissing").And.Contain("Identity__ManagedIdentityClientId").And.Contain("ClientJwks__StaleSeconds"));
        });
    }
}
