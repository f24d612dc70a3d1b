using System.Collections.Concurrent;
using Azure.Core;

namespace TokenFunction.Tests.KeyVault;

/// <summary>Test credential: returns the Key Vault double's fixed token and records what it was asked for.</summary>
internal sealed class FixedTokenCredential(string token = KeyVaultDouble.AccessToken) : TokenCredential
{
    public ConcurrentQueue<TokenRequestContext> Requests { get; } = new();

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        Requests.Enqueue(requestContext);
        return new AccessToken(token, DateTimeOffset.UtcNow.AddHours(1));
    }

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        ValueTask.FromResult(GetToken(requestContext, cancellationToken));
}
