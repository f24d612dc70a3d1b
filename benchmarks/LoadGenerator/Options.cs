using System.Globalization;

namespace LoadGenerator;

/// <summary><c>--name value</c> pairs after the command word; everything after <c>--</c> is kept as a command line.</summary>
public sealed class Options
{
    private readonly Dictionary<string, string> values = new(StringComparer.Ordinal);

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

            values[name[2..]] = e.Current;
        }
    }

    public List<string> Command { get; } = [];

    public string Required(string name) => values.TryGetValue(name, out var value) ? value : throw new ArgumentException($"--{name} is required");

    public string? Optional(string name) => values.GetValueOrDefault(name);

    public int Int(string name, int fallback) => values.TryGetValue(name, out var value) ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;
}
