using TokenFunction.Clients;
using TokenFunction.Storage;

namespace TokenCtl;

/// <summary><c>tokenctl grant revoke</c> and <c>tokenctl purge</c>: the operator's side of grant housekeeping.</summary>
public static class GrantCommands
{
    public static IReadOnlySet<string> Flags { get; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Revokes every grant of a subject or of a client (found through the OAuthGrantIndex table); prints the count.</summary>
    public static async Task<int> RevokeAsync(Arguments args, GrantMaintenance maintenance, TextWriter output, CancellationToken cancellationToken)
    {
        var subject = args.Optional("--subject");
        var clientId = args.Optional("--client");
        args.EnsureAllUsed();
        if ((subject is null) == (clientId is null))
        {
            throw new UsageException("give exactly one of --subject SUB or --client ID");
        }

        if (clientId is not null && !OAuthClient.IsValidId(clientId))
        {
            throw new UsageException($"--client must be {OAuthClient.IdRule}");
        }

        var partition = subject is not null ? GrantIndexKeys.BySubject(subject) : GrantIndexKeys.ByClient(clientId!);
        var report = await maintenance.RevokeAllAsync(partition, cancellationToken).ConfigureAwait(false);
        await output.WriteLineAsync($"revoked {report.Revoked} grant(s); skipped {report.Skipped} unreadable grant row(s)").ConfigureAwait(false);
        return 0;
    }

    /// <summary>Runs the purge the timer function runs; prints what it did.</summary>
    public static async Task<int> PurgeAsync(Arguments args, GrantMaintenance maintenance, TextWriter output, CancellationToken cancellationToken)
    {
        var batchSize = args.OptionalInt("--batch-size") ?? GrantMaintenance.DefaultBatchSize;
        var maxBatches = args.OptionalInt("--max-batches") ?? 1000;
        args.EnsureAllUsed();
        if (batchSize is < 1 or > 1000 || maxBatches < 1)
        {
            throw new UsageException("--batch-size must be 1 to 1000 and --max-batches at least 1");
        }

        var report = await maintenance.PurgeAsync(batchSize, maxBatches, cancellationToken).ConfigureAwait(false);
        await output.WriteLineAsync($"visited {report.IndexRowsVisited} due index row(s); deleted {report.GrantsDeleted} grant(s), {report.RowsDeleted} row(s), {report.AssertionIdsDeleted} expired client assertion id(s), {report.DpopProofIdsDeleted} expired DPoP proof id(s); {report.UnreadableGrantsDeleted} of the grants had an unreadable row").ConfigureAwait(false);
        return 0;
    }
}
