using System.Text.Json;
using Azure.Data.Tables;
using TokenFunction.Grants;

namespace TokenFunction.Storage;

/// <summary>
/// Point reads that turn an unreadable row into a <see cref="MalformedRowException"/>. The SDK fails the whole read when
/// a row holds text that is not valid UTF-16 (InvalidOperationException from System.Text.Json) or a value that does
/// not convert to the declared type (FormatException); that says something about the row, not about the service.
/// </summary>
internal static class TableRows
{
    public static async Task<T?> GetIfExistsAsync<T>(
        TableClient table, string partitionKey, string rowKey, CancellationToken cancellationToken, IEnumerable<string>? select = null)
        where T : class, ITableEntity
    {
        try
        {
            var row = await table.GetEntityIfExistsAsync<T>(partitionKey, rowKey, select, cancellationToken).ConfigureAwait(false);
            return row.HasValue ? row.Value : null;
        }
        catch (Exception e) when (IsUnreadableRow(e))
        {
            throw new MalformedRowException(table.Name, partitionKey, rowKey, Describe(e), e);
        }
    }

    /// <summary>What the SDK throws for a row it cannot turn into an entity (but not for a fault of the service).</summary>
    public static bool IsUnreadableRow(Exception exception) =>
        exception is FormatException or JsonException or InvalidCastException or OverflowException
            or (InvalidOperationException and not ObjectDisposedException);

    /// <summary>The kind of damage, without the exception's message: that may quote the value (a subject, say).</summary>
    private static string Describe(Exception exception) => exception switch
    {
        InvalidOperationException => "a text column is not valid UTF-16 (a lone surrogate)",
        FormatException or InvalidCastException or OverflowException => "a column's value does not convert to the type the service reads it as",
        _ => "the row cannot be read (" + exception.GetType().Name + ")",
    };
}
