namespace TokenCtl;

/// <summary>A refused command line: printed as one line, exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>
/// <c>--name value</c> options (repeatable) and <c>--flag</c> switches after the command words.
/// Every option must be consumed, so a typo fails instead of being ignored.
/// </summary>
public sealed class Arguments
{
    private readonly Dictionary<string, List<string>> _options = new(StringComparer.Ordinal);
    private readonly HashSet<string> _flags = new(StringComparer.Ordinal);
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    public Arguments(IEnumerable<string> args, IReadOnlySet<string> flagNames)
    {
        using var e = args.GetEnumerator();
        while (e.MoveNext())
        {
            var name = e.Current;
            if (!name.StartsWith("--", StringComparison.Ordinal) || name.Length == 2)
            {
                throw new UsageException($"unexpected argument '{name}'");
            }

            if (flagNames.Contains(name))
            {
                _flags.Add(name);
                continue;
            }

            if (!e.MoveNext())
            {
                throw new UsageException($"option {name} needs a value");
            }

            if (!_options.TryGetValue(name, out var values))
            {
                _options[name] = values = [];
            }

            values.Add(e.Current);
        }
    }

    public bool Flag(string name)
    {
        _used.Add(name);
        return _flags.Contains(name);
    }

    public IReadOnlyList<string> All(string name)
    {
        _used.Add(name);
        return _options.TryGetValue(name, out var values) ? values : [];
    }

    public string? Optional(string name)
    {
        var values = All(name);
        return values.Count switch
        {
            0 => null,
            1 => values[0],
            _ => throw new UsageException($"option {name} is given more than once"),
        };
    }

    public string Required(string name) => Optional(name) ?? throw new UsageException($"option {name} is required");

    public int? OptionalInt(string name)
    {
        var value = Optional(name);
        if (value is null)
        {
            return null;
        }

        return int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number)
            ? number
            : throw new UsageException($"option {name} takes a whole number, not '{value}'");
    }

    /// <summary>Fails on any option the command did not ask for.</summary>
    public void EnsureAllUsed()
    {
        var unknown = _options.Keys.Concat(_flags).FirstOrDefault(name => !_used.Contains(name));
        if (unknown is not null)
        {
            throw new UsageException($"unknown option {unknown}");
        }
    }
}
