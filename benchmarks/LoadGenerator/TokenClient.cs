using System.Diagnostics;
using System.Net;
using System.Text.Json;

namespace LoadGenerator;

/// <summary>The three token requests, as an OAuth client sends them (client_secret_post), to either server.</summary>
public sealed class TokenClient(Uri tokenEndpoint, string clientId, string clientSecret, string redirectUri, string scope) : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = 64,
        // Below node's 5 s keep-alive, so a connection the server is about to close is never reused between phases.
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(2),
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
    })
    { Timeout = TimeSpan.FromSeconds(60) };

    public Task<Answer> ExchangeAsync(string code, string verifier, CancellationToken cancellationToken = default) => PostAsync(
    [
        new("grant_type", "authorization_code"), new("code", code), new("redirect_uri", redirectUri),
        new("code_verifier", verifier), new("client_id", clientId), new("client_secret", clientSecret),
    ], cancellationToken);

    public Task<Answer> RefreshAsync(string refreshToken, CancellationToken cancellationToken = default) => PostAsync(
    [
        new("grant_type", "refresh_token"), new("refresh_token", refreshToken), new("client_id", clientId), new("client_secret", clientSecret),
    ], cancellationToken);

    public Task<Answer> ClientCredentialsAsync(CancellationToken cancellationToken = default) => PostAsync(
    [
        new("grant_type", "client_credentials"), new("scope", scope), new("client_id", clientId), new("client_secret", clientSecret),
    ], cancellationToken);

    public void Dispose() => _http.Dispose();

    private async Task<Answer> PostAsync(KeyValuePair<string, string>[] form, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        using var response = await _http.PostAsync(tokenEndpoint, new FormUrlEncodedContent(form), cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return new Answer(false, null, elapsed, $"{(int)response.StatusCode} {body}");
        }

        using var json = JsonDocument.Parse(body);
        var refreshToken = json.RootElement.TryGetProperty("refresh_token", out var value) ? value.GetString() : null;
        return json.RootElement.TryGetProperty("access_token", out _)
            ? new Answer(true, refreshToken, elapsed, null)
            : new Answer(false, null, elapsed, "200 without an access_token");
    }

    public sealed record Answer(bool Ok, string? RefreshToken, double Milliseconds, string? Error);
}
