using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace LoadGenerator;

/// <summary>
/// BENCH-ONLY: the bare pair's storage work on HttpClient alone, without Azure.Core and Azure.Data.Tables: a point read
/// (GET of the entity, its JSON parsed) and a conditional Replace (PUT, If-Match on the ETag read: the SDK pair's update,
/// so that Azurite does the same work for both), signed with SharedKey
/// as the Table service documents it (VERB, Content-MD5, Content-Type, x-ms-date, canonicalized resource), for an
/// account given by a connection string with AccountName, AccountKey and TableEndpoint (Azurite's). It measures what a
/// leaner Table client could save per request; no retries, no telemetry, nothing the service could use as it is. Also the
/// service's one request of an exchange, a conditional Merge (PATCH, If-Match), for <c>loadgen pair --operation merge</c>.
/// </summary>
public sealed class RawTableClient : IDisposable
{
    private const string Version = "2019-02-02";
    private readonly HttpClient _http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) });
    private readonly string _account;
    private readonly byte[] _key;
    private readonly string _table;

    public RawTableClient(string connectionString, string table)
    {
        var settings = connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Select(part => part.Split('=', 2)).ToDictionary(pair => pair[0], pair => pair[1], StringComparer.OrdinalIgnoreCase);
        _account = settings["AccountName"];
        _key = Convert.FromBase64String(settings["AccountKey"]);
        _table = settings["TableEndpoint"].TrimEnd('/') + "/" + table;
    }

    /// <summary>Reads the row, then replaces it with <c>Consumed = true</c> under its ETag; throws unless both succeed.</summary>
    public async Task ReadThenReplaceAsync(string partitionKey, string rowKey, CancellationToken cancellationToken)
    {
        var entity = new Uri($"{_table}(PartitionKey='{partitionKey}',RowKey='{rowKey}')");
        using var read = Signed(HttpMethod.Get, entity, contentType: string.Empty);
        read.Headers.Accept.ParseAdd("application/json;odata=minimalmetadata");
        using var found = await _http.SendAsync(read, cancellationToken).ConfigureAwait(false);
        if (found.StatusCode != HttpStatusCode.OK)
        {
            throw new HttpRequestException($"read: {(int)found.StatusCode}");
        }

        var etag = found.Headers.ETag?.ToString() ?? throw new HttpRequestException("read: no ETag");
        using (var row = JsonDocument.Parse(await found.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false)))
        {
            _ = row.RootElement.GetProperty("Consumed").GetBoolean();
        }

        using var replace = Signed(HttpMethod.Put, entity, contentType: "application/json");
        replace.Headers.IfMatch.Add(EntityTagHeaderValue.Parse(etag));
        replace.Content = new ByteArrayContent("{\"Consumed\":true}"u8.ToArray());
        replace.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/json");
        using var replaced = await _http.SendAsync(replace, cancellationToken).ConfigureAwait(false);
        if (replaced.StatusCode != HttpStatusCode.NoContent)
        {
            throw new HttpRequestException($"replace: {(int)replaced.StatusCode}");
        }
    }

    /// <summary>Merges <c>RedemptionId</c> and <c>RedeemedAt</c> into the row under <paramref name="etag"/>; throws unless it succeeds.</summary>
    public async Task MergeAsync(string partitionKey, string rowKey, string etag, string redemptionId, DateTimeOffset redeemedAt, CancellationToken cancellationToken)
    {
        var entity = new Uri($"{_table}(PartitionKey='{partitionKey}',RowKey='{rowKey}')");
        using var merge = Signed(HttpMethod.Patch, entity, contentType: "application/json");
        merge.Headers.IfMatch.Add(EntityTagHeaderValue.Parse(etag));
        merge.Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string>
        {
            ["RedemptionId"] = redemptionId,
            ["RedeemedAt@odata.type"] = "Edm.DateTime",
            ["RedeemedAt"] = redeemedAt.UtcDateTime.ToString("o", CultureInfo.InvariantCulture),
        }));
        merge.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/json");
        using var merged = await _http.SendAsync(merge, cancellationToken).ConfigureAwait(false);
        if (merged.StatusCode != HttpStatusCode.NoContent)
        {
            throw new HttpRequestException($"merge: {(int)merged.StatusCode}");
        }
    }

    public void Dispose() => _http.Dispose();

    private HttpRequestMessage Signed(HttpMethod method, Uri uri, string contentType)
    {
        var date = DateTimeOffset.UtcNow.ToString("R", CultureInfo.InvariantCulture);
        var request = new HttpRequestMessage(method, uri);
        request.Headers.Add("x-ms-date", date);
        request.Headers.Add("x-ms-version", Version);
        request.Headers.Add("DataServiceVersion", "3.0");
        var toSign = $"{method.Method}\n\n{contentType}\n{date}\n/{_account}{uri.AbsolutePath}";
        var signature = HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(toSign));
        request.Headers.Authorization = new AuthenticationHeaderValue("SharedKey", $"{_account}:{Convert.ToBase64String(signature)}");
        return request;
    }
}
