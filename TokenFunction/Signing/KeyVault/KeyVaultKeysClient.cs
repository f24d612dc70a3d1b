using System.Buffers.Text;
using System.Text.Json;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace TokenFunction.Signing.KeyVault;

/// <summary>
/// A small client of the Key Vault keys data plane (REST API <see cref="KeyVaultKeysClientOptions.LatestApiVersion"/>):
/// Get Key, Get Key Versions and Sign, on an Azure.Core pipeline (retry, logging, challenge-based bearer
/// authentication). Every call is asynchronous and cancellable; a service error is a <see cref="RequestFailedException"/>
/// carrying the status and Key Vault's error code.
/// </summary>
public class KeyVaultKeysClient
{
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web);
    private readonly HttpPipeline _pipeline = null!;
    private readonly string _apiVersion = KeyVaultKeysClientOptions.LatestApiVersion;

    /// <summary>For mocking.</summary>
    protected KeyVaultKeysClient()
    {
        VaultUri = null!;
    }

    /// <param name="vaultUri"><c>https://{vault}.vault.azure.net/</c>.</param>
    /// <param name="credential">The identity the vault authorizes (its tokens are requested for the challenge's resource).</param>
    /// <param name="options">Retry, diagnostics and transport; by default 3 retries and a 100 s network timeout (Azure.Core's).</param>
    public KeyVaultKeysClient(Uri vaultUri, TokenCredential credential, KeyVaultKeysClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(vaultUri);
        ArgumentNullException.ThrowIfNull(credential);
        if (!vaultUri.IsAbsoluteUri || vaultUri.Scheme != Uri.UriSchemeHttps)
        {
            throw new ArgumentException($"The vault URI '{vaultUri}' must be an absolute https URI.", nameof(vaultUri));
        }

        options ??= new KeyVaultKeysClientOptions();
        options.RetryPolicy ??= new KeyVaultRetryPolicy(
            options.Retry.MaxRetries,
            DelayStrategy.CreateExponentialDelayStrategy(options.Retry.Delay, options.Retry.MaxDelay),
            options.MaxRetryAfter);

        VaultUri = new Uri(vaultUri.GetLeftPart(UriPartial.Authority) + "/");
        _apiVersion = options.Version;
        _pipeline = HttpPipelineBuilder.Build(
            options,
            Array.Empty<HttpPipelinePolicy>(),
            [new KeyVaultChallengeAuthenticationPolicy(credential, !options.DisableChallengeResourceVerification)],
            new ResponseClassifier());
    }

    /// <summary>The vault this client talks to.</summary>
    public virtual Uri VaultUri { get; }

    /// <summary><c>GET /keys/{name}[/{version}]</c>: a version's public key and attributes; without a version, the current one.</summary>
    public virtual async Task<Response<KeyVaultKey>> GetKeyAsync(string name, string? version = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        using HttpMessage message = CreateMessage(RequestMethod.Get, "keys", name, version ?? string.Empty);
        Response response = await SendAsync(message, cancellationToken).ConfigureAwait(false);
        return Response.FromValue(Read<KeyVaultKey>(response), response);
    }

    /// <summary><c>GET /keys/{name}/versions</c>, following <c>nextLink</c>: every version's identifier and attributes.</summary>
    public virtual AsyncPageable<KeyVaultKeyItem> GetPropertiesOfKeyVersionsAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return new VersionsPageable(this, name, cancellationToken);
    }

    /// <summary>
    /// <c>POST /keys/{name}/{version}/sign</c> with <c>{alg, value}</c>: signs <paramref name="digest"/>, the hash of the
    /// data computed by the caller (SHA-256 for RS256/PS256/ES256, SHA-384 for ES384). EC signatures come back as r||s.
    /// </summary>
    public virtual async Task<Response<KeyVaultSignResult>> SignAsync(
        string name, string version, string algorithm, ReadOnlyMemory<byte> digest, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(version);
        ArgumentException.ThrowIfNullOrEmpty(algorithm);
        using HttpMessage message = CreateMessage(RequestMethod.Post, "keys", name, version, "sign");
        message.Request.Headers.SetValue("Content-Type", "application/json");
        byte[] body = JsonSerializer.SerializeToUtf8Bytes(
            new KeyVaultSignParameters { Algorithm = algorithm, Value = Base64Url.EncodeToString(digest.Span) }, s_json);
        message.Request.Content = RequestContent.Create(body);
        Response response = await SendAsync(message, cancellationToken).ConfigureAwait(false);
        return Response.FromValue(Read<KeyVaultSignResult>(response), response);
    }

    private HttpMessage CreateMessage(RequestMethod method, params string[] segments)
    {
        HttpMessage message = _pipeline.CreateMessage();
        Request request = message.Request;
        request.Method = method;
        var uri = new RequestUriBuilder();
        uri.Reset(VaultUri);
        foreach (string segment in segments)
        {
            if (segment.Length > 0)
            {
                uri.AppendPath("/", escape: false);
                uri.AppendPath(segment, escape: true);
            }
        }

        uri.AppendQuery("api-version", _apiVersion, escapeValue: true);
        request.Uri = uri;
        request.Headers.SetValue("Accept", "application/json");
        return message;
    }

    private HttpMessage CreateNextPageMessage(string nextLink)
    {
        if (!Uri.TryCreate(nextLink, UriKind.Absolute, out Uri? next) ||
            !string.Equals(next.GetLeftPart(UriPartial.Authority) + "/", VaultUri.ToString(), StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"Key Vault returned a nextLink '{nextLink}' outside the vault {VaultUri}; it is not followed.");
        }

        HttpMessage message = _pipeline.CreateMessage();
        message.Request.Method = RequestMethod.Get;
        message.Request.Uri.Reset(next);
        message.Request.Headers.SetValue("Accept", "application/json");
        return message;
    }

    private async Task<Response> SendAsync(HttpMessage message, CancellationToken cancellationToken)
    {
        await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        Response response = message.Response;
        if (response.Status != 200)
        {
            throw new RequestFailedException(response);
        }

        return response;
    }

    private static T Read<T>(Response response) where T : class =>
        response.Content.ToObjectFromJson<T>(s_json)
        ?? throw new RequestFailedException(response.Status, "Key Vault returned an empty response body.");

    private sealed class VersionsPageable(KeyVaultKeysClient client, string name, CancellationToken cancellationToken)
        : AsyncPageable<KeyVaultKeyItem>(cancellationToken)
    {
        public override async IAsyncEnumerable<Page<KeyVaultKeyItem>> AsPages(string? continuationToken = null, int? pageSizeHint = null)
        {
            string? nextLink = continuationToken;
            do
            {
                using HttpMessage message = nextLink is null
                    ? client.CreateMessage(RequestMethod.Get, "keys", name, "versions")
                    : client.CreateNextPageMessage(nextLink);
                if (nextLink is null && pageSizeHint is { } size)
                {
                    message.Request.Uri.AppendQuery("maxresults", size.ToString(System.Globalization.CultureInfo.InvariantCulture));
                }

                Response response = await client.SendAsync(message, CancellationToken).ConfigureAwait(false);
                KeyVaultKeyListResult page = Read<KeyVaultKeyListResult>(response);
                nextLink = string.IsNullOrEmpty(page.NextLink) ? null : page.NextLink;
                yield return Page<KeyVaultKeyItem>.FromValues(page.Value ?? [], nextLink, response);
            }
            while (nextLink is not null);
        }
    }
}
