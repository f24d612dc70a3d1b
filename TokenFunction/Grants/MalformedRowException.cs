namespace TokenFunction.Grants;

/// <summary>
/// A stored row that does not have the shape docs/storage.md describes: a column missing or of the wrong type, or text
/// that is not valid UTF-16. Rows written by another party (the authorize step) can be damaged; such a row is refused for
/// what it is, never a 500, and batch jobs skip it and go on. Part of the store contracts (a store throws it, the grants
/// and the endpoints decide what it means), so it lives with the ports, not with one store. <see cref="Exception.Message"/> names the table, the
/// row's short id and the problem, never a column's value.
/// </summary>
public sealed class MalformedRowException : Exception
{
    public MalformedRowException(string table, string partitionKey, string rowKey, string problem, Exception? innerException = null)
        : base($"The row {GrantKeys.ForLog(partitionKey)}/{rowKey} of table {table} is malformed: {problem}.", innerException)
    {
        Table = table;
        PartitionKey = partitionKey;
        RowKey = rowKey;
        Problem = problem;
    }

    public string Table { get; }

    public string PartitionKey { get; }

    public string RowKey { get; }

    /// <summary>What is wrong, in words an operator can act on; never a column's value.</summary>
    public string Problem { get; }

    /// <summary>The short, non-reversible handle of the row's partition, as logs show grants.</summary>
    public string ShortId => GrantKeys.ForLog(PartitionKey);
}
