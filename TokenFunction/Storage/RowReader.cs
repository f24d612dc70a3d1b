using Azure.Data.Tables;
using TokenFunction.Grants;

namespace TokenFunction.Storage;

/// <summary>
/// Reads the columns of a <see cref="TableEntity"/> by the rules of docs/storage.md and names what is wrong when a row
/// does not follow them: a required column missing or empty, or a column of another type than documented.
/// </summary>
internal readonly struct RowReader(string table, TableEntity row)
{
    /// <summary>A String column that must be present and non-empty.</summary>
    public string RequiredString(string column) =>
        OptionalString(column) is { Length: > 0 } value ? value : throw Malformed($"the column {column} is missing or empty");

    /// <summary>A String column that may be absent (null); present, it must be a string.</summary>
    public string? OptionalString(string column) => row.TryGetValue(column, out var value) ? value switch
    {
        null => null,
        string text => text,
        _ => throw WrongType(column, value, "String"),
    } : null;

    public DateTimeOffset RequiredDate(string column) =>
        OptionalDate(column) ?? throw Malformed($"the column {column} is missing");

    /// <summary>A DateTime column that may be absent; present, it must be typed Edm.DateTime (not a string).</summary>
    public DateTimeOffset? OptionalDate(string column) => row.TryGetValue(column, out var value) ? value switch
    {
        null => null,
        DateTimeOffset instant => instant,
        DateTime instant => new DateTimeOffset(DateTime.SpecifyKind(instant, DateTimeKind.Utc)),
        _ => throw WrongType(column, value, "DateTime"),
    } : null;

    /// <summary>An Int32 column that may be absent; present, it must be typed Edm.Int32.</summary>
    public int? OptionalInt32(string column) => row.TryGetValue(column, out var value) ? value switch
    {
        null => null,
        int number => number,
        _ => throw WrongType(column, value, "Int32"),
    } : null;

    public MalformedRowException Malformed(string problem) => new(table, row.PartitionKey, row.RowKey, problem);

    private MalformedRowException WrongType(string column, object value, string expected) =>
        Malformed($"the column {column} is {value.GetType().Name}, not {expected}");
}
