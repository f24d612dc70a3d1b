namespace TokenFunction.Grants;

/// <summary>
/// The version of a stored record as it was read, opaque to everyone but the store that issued it: a conditional write
/// given this token succeeds only if the record has not changed since (Table Storage keeps its ETag here). The default
/// token is "not read from a store", which no store accepts for a conditional write.
/// </summary>
public readonly record struct ConcurrencyToken(string? Value)
{
    public bool IsNone => Value is null;

    public override string ToString() => Value ?? "(none)";
}
