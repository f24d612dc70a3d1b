namespace TokenFunction.Clients;

/// <summary>
/// A conservative estimate of how many bits of guessing a secret costs, in the spirit of zxcvbn: the secret is split
/// into the cheapest explanation an attacker could enumerate, and the bits of its parts are added up. The parts are
/// <list type="bullet">
/// <item>a copy of characters seen just before (a run like <c>aaaa</c>, a repeated chunk like <c>abcabc</c>, a word
/// typed twice): priced by where it copies from and how long it is;</item>
/// <item>a sequence of characters a fixed step apart within digits or letters (<c>abcd</c>, <c>9876</c>, <c>13579</c>)
/// or a run along a keyboard row (<c>qwerty</c>, <c>asdf</c>, <c>!@#$</c>), either way: priced by start, direction and length;</item>
/// <item>a common password or word (<see cref="CommonSecretWords"/>), case-insensitive, reversed or with the usual
/// digit-for-letter swaps (<c>p4ssw0rd</c>): priced by its rank plus a bit for each such variation;</item>
/// <item>any other character: log2 of the size of the character classes the secret uses (lower case 26, upper case 26,
/// digits 10, ASCII symbols 33, anything else 100).</item>
/// </list>
/// Ties and overlaps go to the cheaper reading, so the estimate errs low. Only the first <see cref="MaxAnalysedLength"/>
/// characters are read (what follows could only add bits), which bounds the work on any input.
/// </summary>
public static class SecretStrength
{
    public const int MaxAnalysedLength = 256;

    /// <summary>
    /// The shortest copy, sequence or keyboard run counted: three characters fall into such shapes by chance too often
    /// (a random hex secret has several), which would price random secrets as patterned.
    /// </summary>
    private const int MinPatternLength = 4;

    /// <summary>Listed words are specific enough to count from three letters.</summary>
    private const int MinWordLength = 3;
    private const int MaxSequenceStep = 5;

    private static readonly string[] s_keyboardRows =
    [
        "`1234567890-=", "qwertyuiop[]\\", "asdfghjkl;'", "zxcvbnm,./",
        "~!@#$%^&*()_+", "QWERTYUIOP{}|", "ASDFGHJKL:\"", "ZXCVBNM<>?",
    ];

    /// <summary>Where each key sits on a keyboard row: row and column.</summary>
    private static readonly Dictionary<char, (int Row, int Column)> s_keyPositions = KeyPositions();

    /// <summary>log2 of the keys a keyboard-row run may start on.</summary>
    private static readonly double s_keyboardStartBits = Math.Log2(s_keyPositions.Count);

    /// <summary>Digit-for-letter swaps (leetspeak); '1' stands for 'i' or 'l', each tried.</summary>
    private static readonly Dictionary<char, char>[] s_leetTables =
    [
        new() { ['0'] = 'o', ['1'] = 'i', ['3'] = 'e', ['4'] = 'a', ['5'] = 's', ['7'] = 't', ['@'] = 'a', ['$'] = 's', ['!'] = 'i' },
        new() { ['0'] = 'o', ['1'] = 'l', ['3'] = 'e', ['4'] = 'a', ['5'] = 's', ['7'] = 't', ['@'] = 'a', ['$'] = 's', ['|'] = 'l' },
    ];

    /// <summary>The estimated bits of guessing <paramref name="secret"/> takes; 0 for an empty one.</summary>
    public static double EstimateBits(string secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var text = secret.Length > MaxAnalysedLength ? secret[..MaxAnalysedLength] : secret;
        var n = text.Length;
        var characterBits = Math.Log2(Math.Max(1, CharacterSetSize(text)));

        // best[i]: the cheapest explanation of text[..i]; every part ending at j is tried on top of best[start].
        var best = new double[n + 1];
        Array.Fill(best, double.PositiveInfinity);
        best[0] = 0;
        var parts = new List<(int Start, int End, double Bits)>[n + 1];
        for (var start = 0; start < n; start++)
        {
            parts[start] = [];
            AddCopies(text, start, parts[start]);
            AddSequences(text, start, parts[start]);
            AddKeyboardRuns(text, start, parts[start]);
            AddWords(text, start, parts[start]);
        }

        for (var i = 0; i < n; i++)
        {
            if (double.IsPositiveInfinity(best[i]))
            {
                continue;
            }

            Relax(i + 1, best[i] + characterBits);
            foreach (var (_, end, bits) in parts[i])
            {
                Relax(end, best[i] + bits);
            }
        }

        return best[n];

        void Relax(int end, double bits) => best[end] = Math.Min(best[end], bits);
    }

    /// <summary>Sum of the sizes of the character classes the text uses.</summary>
    internal static int CharacterSetSize(string text)
    {
        bool lower = false, upper = false, digit = false, symbol = false, other = false;
        foreach (var c in text)
        {
            lower |= c is >= 'a' and <= 'z';
            upper |= c is >= 'A' and <= 'Z';
            digit |= char.IsAsciiDigit(c);
            symbol |= c is >= ' ' and <= '~' && !char.IsAsciiLetterOrDigit(c);
            other |= c > '~' || c < ' ';
        }

        return (lower ? 26 : 0) + (upper ? 26 : 0) + (digit ? 10 : 0) + (symbol ? 33 : 0) + (other ? 100 : 0);
    }

    /// <summary>
    /// text[start..start+length] equal to the text <c>distance</c> characters earlier (overlapping, so a run is a copy
    /// of its first character): log2 of the distance and of the length, plus a bit for "a copy follows".
    /// </summary>
    private static void AddCopies(string text, int start, List<(int, int, double)> parts)
    {
        var longestSoFar = MinPatternLength - 1;
        for (var distance = 1; distance <= start; distance++)
        {
            var length = 0;
            while (start + length < text.Length && text[start + length] == text[start + length - distance])
            {
                length++;
            }

            // A nearer copy is cheaper, so a farther one counts only for the lengths it adds.
            for (var l = longestSoFar + 1; l <= length; l++)
            {
                parts.Add((start, start + l, Math.Log2(distance) + Math.Log2(l) + 1));
            }

            longestSoFar = Math.Max(longestSoFar, length);
        }
    }

    /// <summary>Characters of one class (digits, lower or upper case) a fixed step of 1 to 5 apart, up or down.</summary>
    private static void AddSequences(string text, int start, List<(int, int, double)> parts)
    {
        if (start + 1 >= text.Length || ClassOf(text[start]) is not { } alphabet || ClassOf(text[start + 1]) != alphabet)
        {
            return;
        }

        var step = text[start + 1] - text[start];
        if (step == 0 || Math.Abs(step) > MaxSequenceStep)
        {
            return;
        }

        var first = text[start];
        var startBits = first is 'a' or 'z' or 'A' or 'Z' or '0' or '1' or '9' ? 2 : Math.Log2(alphabet.Size);
        var shapeBits = (step < 0 ? 1 : 0) + (Math.Abs(step) > 1 ? Math.Log2(MaxSequenceStep) : 0);
        var end = start + 1;
        while (end < text.Length && ClassOf(text[end]) == alphabet && text[end] - text[end - 1] == step)
        {
            end++;
            if (end - start >= MinPatternLength)
            {
                parts.Add((start, end, startBits + shapeBits + Math.Log2(end - start)));
            }
        }
    }

    /// <summary>Neighbouring keys along one keyboard row (shifted or not), left to right or back.</summary>
    private static void AddKeyboardRuns(string text, int start, List<(int, int, double)> parts)
    {
        if (start + 1 >= text.Length || !s_keyPositions.TryGetValue(text[start], out var first)
            || !s_keyPositions.TryGetValue(text[start + 1], out var second) || second.Row != first.Row || Math.Abs(second.Column - first.Column) != 1)
        {
            return;
        }

        var step = second.Column - first.Column;
        var previous = second;
        var end = start + 2;
        while (true)
        {
            if (end - start >= MinPatternLength)
            {
                parts.Add((start, end, s_keyboardStartBits + 1 + Math.Log2(end - start)));
            }

            if (end >= text.Length || !s_keyPositions.TryGetValue(text[end], out var next) || next.Row != previous.Row || next.Column - previous.Column != step)
            {
                return;
            }

            previous = next;
            end++;
        }
    }

    /// <summary>Listed words at <paramref name="start"/>: as typed, reversed, or with digit-for-letter swaps; any case.</summary>
    private static void AddWords(string text, int start, List<(int, int, double)> parts)
    {
        var longest = Math.Min(CommonSecretWords.MaxLength, text.Length - start);
        for (var length = MinWordLength; length <= longest; length++)
        {
            var candidate = text.Substring(start, length);
            var lower = candidate.ToLowerInvariant();
            var caseBits = CaseBits(candidate);
            var bits = double.PositiveInfinity;
            if (CommonSecretWords.Ranks.TryGetValue(lower, out var rank))
            {
                bits = Math.Min(bits, RankBits(rank) + caseBits);
            }

            if (CommonSecretWords.Ranks.TryGetValue(Reverse(lower), out rank))
            {
                bits = Math.Min(bits, RankBits(rank) + caseBits + 1);
            }

            foreach (var table in s_leetTables)
            {
                var unleeted = Unleet(lower, table);
                if (!string.Equals(unleeted, lower, StringComparison.Ordinal) && CommonSecretWords.Ranks.TryGetValue(unleeted, out rank))
                {
                    bits = Math.Min(bits, RankBits(rank) + caseBits + 1);
                }
            }

            if (!double.IsPositiveInfinity(bits))
            {
                parts.Add((start, start + length, bits));
            }
        }
    }

    /// <summary>A word of rank r is one of the r first guesses.</summary>
    private static double RankBits(int rank) => Math.Max(1, Math.Log2(rank));

    /// <summary>
    /// 0 for all lower case; 1 for the usual capitalisations (first letter, last letter, all upper); else log2 of the
    /// ways to choose which letters are upper case, counted the cheaper way round.
    /// </summary>
    private static double CaseBits(string word)
    {
        var upper = word.Count(char.IsAsciiLetterUpper);
        var lower = word.Count(char.IsAsciiLetterLower);
        if (upper == 0)
        {
            return 0;
        }

        if (lower == 0 || (upper == 1 && (char.IsAsciiLetterUpper(word[0]) || char.IsAsciiLetterUpper(word[^1]))))
        {
            return 1;
        }

        double ways = 0;
        for (var k = 1; k <= Math.Min(upper, lower); k++)
        {
            ways += Choose(upper + lower, k);
        }

        return Math.Log2(ways);
    }

    private static double Choose(int n, int k)
    {
        double result = 1;
        for (var i = 1; i <= k; i++)
        {
            result = result * (n - k + i) / i;
        }

        return result;
    }

    private static string Reverse(string text)
    {
        var characters = text.ToCharArray();
        Array.Reverse(characters);
        return new string(characters);
    }

    private static string Unleet(string text, Dictionary<char, char> table) =>
        string.Create(text.Length, (text, table), static (span, state) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = state.table.GetValueOrDefault(state.text[i], state.text[i]);
            }
        });

    /// <summary>The class a sequence may run in, with its size; null for a character outside them.</summary>
    private static (char First, int Size)? ClassOf(char c) =>
        char.IsAsciiDigit(c) ? ('0', 10) : char.IsAsciiLetterLower(c) ? ('a', 26) : char.IsAsciiLetterUpper(c) ? ('A', 26) : null;

    private static Dictionary<char, (int Row, int Column)> KeyPositions()
    {
        var positions = new Dictionary<char, (int, int)>();
        for (var row = 0; row < s_keyboardRows.Length; row++)
        {
            for (var column = 0; column < s_keyboardRows[row].Length; column++)
            {
                positions[s_keyboardRows[row][column]] = (row, column);
            }
        }

        return positions;
    }
}
