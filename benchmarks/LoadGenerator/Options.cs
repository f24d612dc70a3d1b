using System.Globalization;

namespace LoadGenerator;

/// <summary><c>--name value</c> pairs after the command word; everything after <c>--</c> is kept as a command line.</summary>
public sealed class Options
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public Options(IEnumerable<string> args)
    {
        using var e = args.GetEnumerator();
        while (e.MoveNext())
        {
            if (e.Current == "--")
            {
                while (e.MoveNext())
                {
                    Command.Add(e.Current);
                }

                break;
            }

            var name = e.Current;
            if (!name.StartsWith("--", StringComparison.Ordinal) || !e.MoveNext())
            {
                throw new ArgumentException($"expected --name value, got '{name}'");
            }

            _values[name[2..]] = e.Current;
        }
    }

    public List<string> Command { get; } = [];

    public string Required(string name) => _values.TryGetValue(name, out var value) ? value : throw new ArgumentException($"--{name} is required");

    public string? Optional(string name) => _values.GetValueOrDefault(name);

    public int Number(string name, int fallback) => _values.TryGetValue(name, out var value) ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;
}
