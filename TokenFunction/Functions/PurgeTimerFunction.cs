using Microsoft.Azure.Functions.Worker;
using TokenFunction.Storage;

namespace TokenFunction.Functions;

/// <summary>
/// Purges dead grants (expired codes, grants past their absolute refresh lifetime, with their retired refresh tokens)
/// every 10 minutes, in bounded batches read from the expiry index. Safe when two instances run it at once.
/// <c>tokenctl purge</c> runs the same purge by hand.
/// </summary>
public sealed class PurgeTimerFunction(GrantMaintenance maintenance)
{
    public const string Name = "Purge";
    public const string Schedule = "0 */10 * * * *";
    public const int MaxBatches = 10;

    [Function(Name)]
    public async Task RunAsync([TimerTrigger(Schedule)] TimerInfo timer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(timer);
        await maintenance.PurgeAsync(GrantMaintenance.DefaultBatchSize, MaxBatches, cancellationToken).ConfigureAwait(false);
    }
}
