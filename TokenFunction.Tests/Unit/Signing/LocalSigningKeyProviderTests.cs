using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TokenFunction.Signing;
using TokenFunction.Settings;

namespace TokenFunction.Tests.Unit.Signing;

public class LocalSigningKeyProviderTests
{
    private string directory = string.Empty;

    [SetUp]
    public void CreateDirectory()
    {
        directory = Path.Combine(Path.GetTempPath(), "tokenfunction-unit-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
    }

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(directory, recursive: true);

    [Test]
    public async Task GetSigningKeyAsync_GeneratesKeyFileWhenMissing()
    {
        var path = Path.Combine(directory, "nested", "signing-key.pem");

        using var provider = Provider(path, generate: true);
        var key = await provider.GetSigningKeyAsync(CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(File.Exists(path), Is.True);
            Assert.That(File.ReadAllText(path), Does.StartWith("-----BEGIN PRIVATE KEY-----"));
            Assert.That(key.Algorithm, Is.EqualTo("RS256"));
            Assert.That(Directory.GetFiles(Path.GetDirectoryName(path)!), Has.Length.EqualTo(1), "no temporary file is left behind");
        });
    }

    [Test]
    [Platform(Exclude = "Win")]
    public async Task GetSigningKeyAsync_GeneratedKeyFileIsReadableByOwnerOnly()
    {
        var path = Path.Combine(directory, "signing-key.pem");

        using var provider = Provider(path, generate: true);
        await provider.GetSigningKeyAsync(CancellationToken.None);

        if (!OperatingSystem.IsWindows())
        {
            Assert.That(File.GetUnixFileMode(path), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        }
    }

    [Test]
    public async Task GetSigningKeyAsync_GeneratesConfiguredAlgorithm()
    {
        using var provider = Provider(Path.Combine(directory, "ec.pem"), generate: true, algorithm: "ES256");

        var key = await provider.GetSigningKeyAsync(CancellationToken.None);

        Assert.That(key.Algorithm, Is.EqualTo("ES256"));
    }

    [Test]
    public async Task GetSigningKeyAsync_ReusesExistingKeyFileOnNextStart()
    {
        var path = Path.Combine(directory, "signing-key.pem");
        string firstKid;
        using (var first = Provider(path, generate: true))
        {
            firstKid = (await first.GetSigningKeyAsync(CancellationToken.None)).KeyId;
        }

        var pem = File.ReadAllText(path);

        using var second = Provider(path, generate: true);
        var secondKid = (await second.GetSigningKeyAsync(CancellationToken.None)).KeyId;

        Assert.Multiple(() =>
        {
            Assert.That(secondKid, Is.EqualTo(firstKid));
            Assert.That(File.ReadAllText(path), Is.EqualTo(pem));
        });
    }

    [Test]
    public async Task GetSigningKeyAsync_ReadsExistingKeyEvenWhenGenerationIsOff()
    {
        var path = Path.Combine(directory, "signing-key.pem");
        var pem = LocalSigningKey.GeneratePem("ES256");
        File.WriteAllText(path, pem);
        using var expected = LocalSigningKey.FromPem(pem);

        using var provider = Provider(path, generate: false);
        var key = await provider.GetSigningKeyAsync(CancellationToken.None);

        Assert.That(key.KeyId, Is.EqualTo(expected.KeyId));
    }

    [Test]
    public void GetSigningKeyAsync_FailsNamingTheSettingWhenMissingAndGenerationIsOff()
    {
        var path = Path.Combine(directory, "absent.pem");
        using var provider = Provider(path, generate: false);

        Assert.That(
            async () => await provider.GetSigningKeyAsync(CancellationToken.None),
            Throws.TypeOf<InvalidOperationException>().With.Message.Contains("Signing__LocalKeyPath").And.Message.Contains(path));
        Assert.That(File.Exists(path), Is.False);
    }

    [Test]
    public async Task GetPublicKeysAsync_PublishesTheSigningKeyUnderItsKid()
    {
        using var provider = Provider(Path.Combine(directory, "signing-key.pem"), generate: true);

        var signing = await provider.GetSigningKeyAsync(CancellationToken.None);
        var published = await provider.GetPublicKeysAsync(CancellationToken.None);

        Assert.That(published.Select(k => k.KeyId), Is.EqualTo(new[] { signing.KeyId }));
    }

    [Test]
    public async Task PublishedJwks_HasOneKeyWhoseKidIsTheSigningKid()
    {
        using var provider = Provider(Path.Combine(directory, "signing-key.pem"), generate: true);

        var key = PublishedJwks.SingleKey(await PublishedJwks.FetchAsync(provider));
        var signing = await provider.GetSigningKeyAsync(CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(key.GetProperty("kid").GetString(), Is.EqualTo(signing.KeyId));
            Assert.That(key.TryGetProperty("d", out _), Is.False);
        });
    }

    [Test]
    public async Task GetSigningKeyAsync_WithTheDefaultSettings_GeneratesAnES256Key()
    {
        var path = Path.Combine(directory, "signing-key.pem");

        using var provider = new LocalSigningKeyProvider(Options.Create(new SigningOptions { LocalKeyPath = path }), NullLogger<LocalSigningKeyProvider>.Instance);
        var key = await provider.GetSigningKeyAsync(CancellationToken.None);

        Assert.That(key.Algorithm, Is.EqualTo("ES256"));
    }

    [Test]
    public async Task GetSigningKeyAsync_AnExistingRsaKeyFile_KeepsSigningRS256WhateverTheDefault()
    {
        var path = Path.Combine(directory, "signing-key.pem");
        await File.WriteAllTextAsync(path, LocalSigningKey.GeneratePem("RS256"));

        using var provider = new LocalSigningKeyProvider(Options.Create(new SigningOptions { LocalKeyPath = path }), NullLogger<LocalSigningKeyProvider>.Instance);
        var key = await provider.GetSigningKeyAsync(CancellationToken.None);

        Assert.That(key.Algorithm, Is.EqualTo("RS256"));
    }

    private static LocalSigningKeyProvider Provider(string path, bool generate, string algorithm = "RS256") =>
        new(
            Options.Create(new SigningOptions { LocalKeyPath = path, GenerateLocalKeyIfMissing = generate, LocalKeyAlgorithm = algorithm }),
            NullLogger<LocalSigningKeyProvider>.Instance);
}
