using System.Text;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using TokenFunction.Protocol;
using TokenFunction.Grants;
using TokenFunction.Storage;

namespace TokenFunction.Tests.Infrastructure;

/// <summary>The kinds of damage another party's writer can do to a row.</summary>
public enum Damage
{
    /// <summary>A text column holding a lone UTF-16 surrogate (written as the JSON escape \ud800, as a careless writer might).</summary>
    LoneSurrogate,

    /// <summary>A DateTime column written as a string.</summary>
    WrongType,

    /// <summary>A required column left out.</summary>
    MissingColumn,
}

/// <summary>
/// Writes rows the way another party (the authorize step) might get them wrong, straight to Azurite over the Table REST
/// API: the SDK is used for signing, and a pipeline policy rewrites the JSON body where the SDK would have refused to
/// write the damage itself (it never writes a lone surrogate).
/// </summary>
public static class DamagedRows
{
    private const string SurrogateMarker = "@@LONE-SURROGATE@@";

    /// <summary>A code row of <paramref name="clientId"/> with its index rows, as the authorize step writes one, but damaged.</summary>
    public static async Task<IssuedCode> IssueCodeAsync(string clientId, Damage damage, DateTimeOffset now, string subject = "mallory")
    {
        var code = TestClients.NewVerifier();
        var verifier = TestClients.NewVerifier();
        var grantId = GrantKeys.ForCode(code);
        var row = new TableEntity(grantId, AuthorizationCodeEntity.Row)
        {
            [nameof(AuthorizationCodeEntity.ClientId)] = clientId,
            [nameof(AuthorizationCodeEntity.RedirectUri)] = TestClients.RedirectUri,
            [nameof(AuthorizationCodeEntity.CodeChallenge)] = Pkce.ComputeS256Challenge(verifier),
            [nameof(AuthorizationCodeEntity.CodeChallengeMethod)] = Pkce.S256,
            [nameof(AuthorizationCodeEntity.Subject)] = subject,
            [nameof(AuthorizationCodeEntity.Scope)] = TestClients.Scope,
            [nameof(AuthorizationCodeEntity.IssuedAt)] = now,
            [nameof(AuthorizationCodeEntity.ExpiresAt)] = now.AddMinutes(5),
        };
        Apply(row, damage);

        var service = Service();
        foreach (var table in new[] { TableNames.Expiry, TableNames.GrantIndex, TableNames.Grants })
        {
            // The service creates them on first use; a test that damages a row before any request must not depend on that.
            await service.GetTableClient(table).CreateIfNotExistsAsync();
        }

        await service.GetTableClient(TableNames.Expiry).UpsertEntityAsync(new TableEntity(GrantIndexKeys.HourBucket(now.AddMinutes(5)), grantId));
        var index = service.GetTableClient(TableNames.GrantIndex);
        await index.UpsertEntityAsync(new TableEntity(GrantIndexKeys.BySubject(subject), grantId) { ["IndexedAt"] = now });
        await index.UpsertEntityAsync(new TableEntity(GrantIndexKeys.ByClient(clientId), grantId) { ["IndexedAt"] = now });
        await service.GetTableClient(TableNames.Grants).AddEntityAsync(row);
        return new IssuedCode(code, verifier);
    }

    /// <summary>Damages a column of an existing row (a Merge): the grant's root after it was redeemed, a client's row.</summary>
    public static async Task DamageAsync(string table, string partitionKey, string rowKey, Damage damage, string column)
    {
        var change = new TableEntity(partitionKey, rowKey);
        change[column] = damage switch
        {
            Damage.LoneSurrogate => "x" + SurrogateMarker,
            Damage.WrongType => "not what this column holds",
            _ => throw new ArgumentOutOfRangeException(nameof(damage), "a Merge cannot remove a column; rewrite the row instead"),
        };
        await Service().GetTableClient(table).UpdateEntityAsync(change, Azure.ETag.All, TableUpdateMode.Merge);
    }

    private static void Apply(TableEntity row, Damage damage)
    {
        switch (damage)
        {
            case Damage.LoneSurrogate:
                row[nameof(AuthorizationCodeEntity.Subject)] = "mallory" + SurrogateMarker;
                break;
            case Damage.WrongType:
                row[nameof(AuthorizationCodeEntity.ExpiresAt)] = "in five minutes";
                break;
            case Damage.MissingColumn:
                row.Remove(nameof(AuthorizationCodeEntity.Subject));
                break;
        }
    }

    private static TableServiceClient Service()
    {
        var options = new TableClientOptions();
        options.AddPolicy(new LoneSurrogateWriter(), HttpPipelinePosition.PerRetry);
        return new TableServiceClient(TestEnvironment.Azurite.ConnectionString, options);
    }

    /// <summary>Replaces the marker with the JSON escape of a lone high surrogate; Shared Key does not sign the body.</summary>
    private sealed class LoneSurrogateWriter : HttpPipelineSynchronousPolicy
    {
        public override void OnSendingRequest(HttpMessage message)
        {
            if (message.Request.Content is not { } content)
            {
                return;
            }

            using var buffer = new MemoryStream();
            content.WriteTo(buffer, CancellationToken.None);
            var json = Encoding.UTF8.GetString(buffer.ToArray());
            if (json.Contains(SurrogateMarker, StringComparison.Ordinal))
            {
                message.Request.Content = RequestContent.Create(Encoding.UTF8.GetBytes(json.Replace(SurrogateMarker, "\\ud800", StringComparison.Ordinal)));
            }
        }
    }
}
