using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using TokenFunction.Grants;
using TokenFunction.Protocol;
using TokenFunction.Storage.Memory;

namespace BenchHost;

/// <summary>
/// BENCH-ONLY: <c>BENCH_STORE=memory</c> keeps the grants (codes, refresh tokens) in the service's in-memory store instead
/// of Table Storage, to measure ours on the peer's terms: node-oidc-provider serves from an in-memory store, so the one
/// storage request per token is the part of ours that it does not have. Everything else is the service as it runs: the
/// host, handlers, client authentication (the registration read from Table Storage once, then cached), signing and log.
/// Codes are minted by <c>POST /bench/codes</c> (form fields <c>count</c>, <c>client_id</c>, <c>redirect_uri</c>,
/// <c>code_challenge</c>, <c>subject</c>, <c>scope</c>; S256), one per line, as the peer's bench listener mints its own.
/// </summary>
internal static class InMemoryGrants
{
    public const string Variable = "BENCH_STORE";
    public const string MintPath = "/bench/codes";

    private static readonly TimeSpan s_codeLifetime = TimeSpan.FromMinutes(10);

    /// <summary>Whether the grants are kept in memory: BENCH_STORE is <c>memory</c> (<c>tables</c> or unset: Table Storage).</summary>
    public static bool Enabled => Environment.GetEnvironmentVariable(Variable) switch
    {
        null or "" or "tables" => false,
        "memory" => true,
        var other => throw new InvalidOperationException($"{Variable} must be 'tables' or 'memory', not '{other}'"),
    };

    /// <summary>Registered before the service's own stores, which are added only when none is (TryAdd).</summary>
    public static void Register(IServiceCollection services)
    {
        services.AddSingleton(provider => new InMemoryGrantStore(provider.GetRequiredService<TimeProvider>()));
        services.AddSingleton<ICodeRedemptionStore>(provider => provider.GetRequiredService<InMemoryGrantStore>());
        services.AddSingleton<IRefreshRotationStore>(provider => provider.GetRequiredService<InMemoryGrantStore>());
        services.AddSingleton<IGrantRevocationStore>(provider => provider.GetRequiredService<InMemoryGrantStore>());
        services.AddSingleton<IAuthorizationCodeIssuer>(provider => provider.GetRequiredService<InMemoryGrantStore>());
    }

    public static void MapMinting(WebApplication app) =>
        app.MapPost(MintPath, async (HttpRequest request, IAuthorizationCodeIssuer issuer, CancellationToken cancellationToken) =>
        {
            var form = await request.ReadFormAsync(cancellationToken).ConfigureAwait(false);
            var count = int.Parse(form["count"].ToString(), CultureInfo.InvariantCulture);
            var code = new NewAuthorizationCode(
                form["client_id"].ToString(), form["redirect_uri"].ToString(), form["code_challenge"].ToString(), Pkce.S256,
                form["subject"].ToString(), form["scope"].ToString(), s_codeLifetime);
            var lines = new StringBuilder();
            for (var i = 0; i < count; i++)
            {
                lines.Append(await issuer.IssueAsync(code, cancellationToken).ConfigureAwait(false)).Append('\n');
            }

            return Results.Text(lines.ToString());
        });
}
