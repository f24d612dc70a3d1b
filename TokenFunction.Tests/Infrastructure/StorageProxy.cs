using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace TokenFunction.Tests.Infrastructure;

/// <summary>
/// A real HTTP proxy on loopback in front of Azurite, for the faults a network makes: every request is forwarded to
/// Azurite as it came (Shared Key signs the path, not the host), unless a rule says to hold it before forwarding (a write
/// that commits after the service gave up), to forward it and lose the answer (the connection is cut instead of
/// answered), or to hang it. Storage stays real: whatever reaches Azurite is committed by Azurite.
/// </summary>
public sealed class StorageProxy : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly HttpClient forwarder = new(new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = false, AutomaticDecompression = DecompressionMethods.None });
    private readonly Uri target;
    private readonly Lock gate = new();
    private readonly List<Rule> rules = [];

    private StorageProxy(Uri target)
    {
        this.target = target;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        app = builder.Build();
        app.Run(ProxyAsync);
    }

    public int Port { get; private set; }

    /// <summary>Azurite's connection string with the table endpoint moved to this proxy.</summary>
    public string ConnectionString =>
        TestEnvironment.Azurite.ConnectionString.Replace($":{TestEnvironment.Azurite.Port}/", $":{Port}/", StringComparison.Ordinal);

    public static async Task<StorageProxy> StartAsync()
    {
        var proxy = new StorageProxy(new Uri($"http://127.0.0.1:{TestEnvironment.Azurite.Port}"));
        await proxy.app.StartAsync();
        var address = proxy.app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        proxy.Port = new Uri(address).Port;
        return proxy;
    }

    /// <summary>
    /// The next request that matches is held for <paramref name="hold"/> and then forwarded, whatever became of its
    /// client. The task completes with Azurite's status once the request has reached it.
    /// </summary>
    public Task<int> HoldNext(Func<StorageRequest, bool> match, TimeSpan hold)
    {
        var rule = new Rule(match, RuleKind.HoldNext, hold);
        Add(rule);
        return rule.Forwarded.Task;
    }

    /// <summary>Until disposed, matching requests are forwarded and their answers lost: the connection is cut instead.</summary>
    public IDisposable LoseAnswers(Func<StorageRequest, bool> match) => Add(new Rule(match, RuleKind.LoseAnswer, TimeSpan.Zero));

    /// <summary>Until disposed, matching requests are neither forwarded nor answered.</summary>
    public IDisposable Hang(Func<StorageRequest, bool> match) => Add(new Rule(match, RuleKind.Hang, TimeSpan.Zero));

    /// <summary>Requests that reached Azurite, in order.</summary>
    public IReadOnlyList<StorageRequest> Forwarded
    {
        get
        {
            lock (gate)
            {
                return [.. forwardedRequests];
            }
        }
    }

    private readonly List<StorageRequest> forwardedRequests = [];

    private Rule Add(Rule rule)
    {
        rule.Remove = () =>
        {
            lock (gate)
            {
                rules.Remove(rule);
            }

            rule.Released.TrySetResult();
        };
        lock (gate)
        {
            rules.Add(rule);
        }

        return rule;
    }

    private async Task ProxyAsync(HttpContext context)
    {
        var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        // The raw target, as sent: Shared Key signs the path as the client escaped it, and Kestrel's Path is unescaped.
        var rawTarget = context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()!.RawTarget;
        var request = new StorageRequest(context.Request.Method, rawTarget, Encoding.UTF8.GetString(body.ToArray()));
        Rule? rule;
        lock (gate)
        {
            rule = rules.FirstOrDefault(r => r.Match(request));
            if (rule?.Kind == RuleKind.HoldNext)
            {
                rules.Remove(rule);
            }
        }

        switch (rule?.Kind)
        {
            case RuleKind.Hang:
                await Task.WhenAny(rule.Released.Task, Task.Delay(Timeout.Infinite, context.RequestAborted));
                context.Abort();
                return;
            case RuleKind.HoldNext:
                await Task.Delay(rule.Hold);
                break;
        }

        using var forwarded = await ForwardAsync(context.Request, rawTarget, body.ToArray());
        lock (gate)
        {
            forwardedRequests.Add(request);
        }

        rule?.Forwarded.TrySetResult((int)forwarded.StatusCode);
        if (rule?.Kind == RuleKind.LoseAnswer || context.RequestAborted.IsCancellationRequested)
        {
            context.Abort();
            return;
        }

        context.Response.StatusCode = (int)forwarded.StatusCode;
        foreach (var header in forwarded.Headers.Concat(forwarded.Content.Headers))
        {
            if (!string.Equals(header.Key, "Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
            {
                context.Response.Headers[header.Key] = header.Value.ToArray();
            }
        }

        await forwarded.Content.CopyToAsync(context.Response.Body);
    }

    private async Task<HttpResponseMessage> ForwardAsync(HttpRequest request, string rawTarget, byte[] body)
    {
        var message = new HttpRequestMessage(new HttpMethod(request.Method), new Uri(target, rawTarget))
        {
            Content = new ByteArrayContent(body),
        };
        foreach (var (name, values) in request.Headers)
        {
            if (name.Equals("Host", StringComparison.OrdinalIgnoreCase) || name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)
                || name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (!message.Headers.TryAddWithoutValidation(name, values.ToArray()))
            {
                message.Content.Headers.TryAddWithoutValidation(name, values.ToArray());
            }
        }

        return await forwarder.SendAsync(message, HttpCompletionOption.ResponseContentRead);
    }

    public async ValueTask DisposeAsync()
    {
        lock (gate)
        {
            foreach (var rule in rules)
            {
                rule.Released.TrySetResult();
            }

            rules.Clear();
        }

        await app.StopAsync();
        await app.DisposeAsync();
        forwarder.Dispose();
    }

    private enum RuleKind
    {
        HoldNext,
        LoseAnswer,
        Hang,
    }

    private sealed class Rule(Func<StorageRequest, bool> match, RuleKind kind, TimeSpan hold) : IDisposable
    {
        public Func<StorageRequest, bool> Match { get; } = match;

        public RuleKind Kind { get; } = kind;

        public TimeSpan Hold { get; } = hold;

        public TaskCompletionSource<int> Forwarded { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Released { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Action Remove { get; set; } = () => { };

        public void Dispose() => Remove();
    }
}

/// <summary>A Table Storage request as the proxy saw it.</summary>
public sealed record StorageRequest(string Method, string PathAndQuery, string Body)
{
    /// <summary>An entity-group transaction ($batch) on the table: a rotation of a grant whose tokens have rows.</summary>
    public bool IsBatchOn(string table) => PathAndQuery.Contains("$batch", StringComparison.Ordinal) && Body.Contains("/" + table + "(", StringComparison.Ordinal);

    /// <summary>A Merge of a row in the table's partition: the code exchange's redemption, or a rotation, of the grant's root.</summary>
    public bool IsMergeIn(string table, string partitionKey) =>
        Method is "PATCH" or "MERGE" && PathAndQuery.Contains($"/{table}(PartitionKey='{partitionKey}'", StringComparison.Ordinal);

    /// <summary>Any request that touches the table.</summary>
    public bool Touches(string table) => PathAndQuery.Contains("/" + table, StringComparison.Ordinal) || IsBatchOn(table);
}
