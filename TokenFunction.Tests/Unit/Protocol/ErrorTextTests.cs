using TokenFunction.Protocol;

namespace TokenFunction.Tests.Unit.Protocol;

public class ErrorTextTests
{
    [Test]
    public void Sanitize_KeepsEveryCharacterWithinRfc6749ErrorDescriptionSet()
    {
        var everyChar = new string([.. Enumerable.Range(0, 0x300).Select(i => (char)i)]) + "\uD83D\uDE00\u2028\uFEFF";

        var sanitized = ErrorText.Sanitize(everyChar);

        Assert.Multiple(() =>
        {
            Assert.That(sanitized, Has.Length.EqualTo(everyChar.Length));
            Assert.That(sanitized.Where(c => !IsRfc6749DescriptionChar(c)), Is.Empty);
        });
    }

    [Test]
    public void Sanitize_KeepsAllowedCharactersUnchanged()
    {
        var allowed = new string([.. Enumerable.Range(0x20, 0x7F - 0x20).Select(i => (char)i).Where(c => c is not '"' and not '\\')]);

        Assert.That(ErrorText.Sanitize(allowed), Is.EqualTo(allowed));
    }

    [TestCase("say \"hi\"", "say ?hi?")]
    [TestCase("C:\\path", "C:?path")]
    [TestCase("line\r\nbreak\ttab\0nul\x7F", "line??break?tab?nul?")]
    [TestCase("Grüße", "Gr??e")]
    [TestCase("\u202Eevil", "?evil")]
    public void Sanitize_ReplacesQuoteBackslashControlAndNonAscii(string input, string expected)
    {
        Assert.That(ErrorText.Sanitize(input), Is.EqualTo(expected));
    }

    [Test]
    public void Quote_WrapsShortValueInSingleQuotes()
    {
        Assert.That(ErrorText.Quote("password"), Is.EqualTo("'password'"));
    }

    [Test]
    public void Quote_ShortensLongInput()
    {
        var quoted = ErrorText.Quote(new string('x', 10_000));

        Assert.Multiple(() =>
        {
            Assert.That(quoted, Has.Length.LessThanOrEqualTo(ErrorText.MaxQuotedLength + 5));
            Assert.That(quoted, Does.StartWith("'xxxx").And.EndWith("...'"));
        });
    }

    [Test]
    public void Quote_KeepsValueOfExactlyMaxLength()
    {
        var value = new string('x', ErrorText.MaxQuotedLength);

        Assert.That(ErrorText.Quote(value), Is.EqualTo("'" + value + "'"));
    }

    [Test]
    public void Quote_SanitizesAndReplacesEmbeddedSingleQuote()
    {
        var quoted = ErrorText.Quote("a'b\"c\\d\né");

        Assert.Multiple(() =>
        {
            Assert.That(quoted, Is.EqualTo("'a?b?c?d??'"));
            Assert.That(quoted.All(IsRfc6749DescriptionChar), Is.True);
        });
    }

    [Test]
    public void IsAllowed_ExcludesExactlyQuoteBackslashAndNonPrintable()
    {
        var excluded = Enumerable.Range(0, 0x80).Select(i => (char)i).Where(c => !ErrorText.IsAllowed(c)).ToArray();
        var expected = Enumerable.Range(0, 0x20).Select(i => (char)i).Concat(['"', '\\', '\x7F']).ToArray();

        Assert.That(excluded, Is.EquivalentTo(expected));
    }

    /// <summary>RFC 6749 section 5.2: error_description = 1*( %x20-21 / %x23-5B / %x5D-7E ), written out independently.</summary>
    private static bool IsRfc6749DescriptionChar(char c) =>
        (c >= 0x20 && c <= 0x21) || (c >= 0x23 && c <= 0x5B) || (c >= 0x5D && c <= 0x7E);
}
