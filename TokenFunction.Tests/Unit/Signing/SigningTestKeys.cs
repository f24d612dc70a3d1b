using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using TokenFunction.Endpoints;
using TokenFunction.Signing;

namespace TokenFunction.Tests.Unit.Signing;

/// <summary>A key provider over one in-memory key: the signer under test without any file or vault.</summary>
internal sealed class FixedKeyProvider(LocalSigningKey key) : ISigningKeyProvider
{
    public ValueTask<ISigningKey> GetSigningKeyAsync(CancellationToken cancellationToken) => ValueTask.FromResult<ISigningKey>(key);

    public ValueTask<IReadOnlyList<PublicJsonWebKey>> GetPublicKeysAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<PublicJsonWebKey>>([key.PublicKey]);
}

internal static class PublishedJwks
{
    /// <summary>The JWKS document exactly as GET /.well-known/jwks.json serves it.</summary>
    public static async Task<string> FetchAsync(ISigningKeyProvider provider)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = HttpMethods.Get;
        context.Response.Body = new MemoryStream();
        var result = await new JwksEndpoint(provider, NullLogger<JwksEndpoint>.Instance).HandleAsync(context.Request, CancellationToken.None);
        await result.WriteAsync(context.Response);
        Assert.That(context.Response.StatusCode, Is.EqualTo(StatusCodes.Status200OK));
        return System.Text.Encoding.UTF8.GetString(((MemoryStream)context.Response.Body).ToArray());
    }

    public static JsonElement SingleKey(string jwks)
    {
        using var document = JsonDocument.Parse(jwks);
        var keys = document.RootElement.GetProperty("keys");
        Assert.That(keys.GetArrayLength(), Is.EqualTo(1));
        return keys[0].Clone();
    }
}
