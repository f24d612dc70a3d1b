using Azure.Data.Tables;
using TokenFunction.Grants;
using TokenFunction.Storage;

namespace TokenFunction.Tests.Unit.Storage;

/// <summary>A code row is read column by column and refused, naming the column, when it breaks the documented layout.</summary>
public class AuthorizationCodeRowsTests
{
    [Test]
    public void WellFormedRow_IsReadWithEveryColumn()
    {
        var row = Valid();

        var entity = AuthorizationCodeRows.Read(row);

        Assert.Multiple(() =>
        {
            Assert.That(entity.ClientId, Is.EqualTo("client-1"));
            Assert.That(entity.Subject, Is.EqualTo("alice"));
            Assert.That(entity.CodeChallengeMethod, Is.EqualTo("S256"));
            Assert.That(entity.ExpiresAt, Is.EqualTo(new DateTimeOffset(2026, 12, 2, 10, 5, 0, TimeSpan.Zero)));
            Assert.That(entity.RedemptionId, Is.Null);
        });
    }

    [TestCase("Subject", TestName = "MissingSubject_IsMalformed")]
    [TestCase("ClientId", TestName = "MissingClientId_IsMalformed")]
    [TestCase("RedirectUri", TestName = "MissingRedirectUri_IsMalformed")]
    [TestCase("ExpiresAt", TestName = "MissingExpiresAt_IsMalformed_NotTheYearOne")]
    public void MissingRequiredColumn_IsMalformed_NamingIt(string column)
    {
        var row = Valid();
        row.Remove(column);

        var error = Assert.Throws<MalformedRowException>(() => AuthorizationCodeRows.Read(row));

        Assert.That(error!.Problem, Does.Contain(column));
    }

    [Test]
    public void EmptySubject_IsMalformed()
    {
        var row = Valid();
        row["Subject"] = string.Empty;

        Assert.Throws<MalformedRowException>(() => AuthorizationCodeRows.Read(row));
    }

    [TestCase("ExpiresAt", "tomorrow", TestName = "DateTimeColumnHoldingAString_IsMalformed")]
    [TestCase("RevokedAt", "yes", TestName = "OptionalDateTimeColumnHoldingAString_IsMalformed")]
    [TestCase("ClientId", 42, TestName = "StringColumnHoldingANumber_IsMalformed")]
    public void ColumnOfTheWrongType_IsMalformed_NamingItAndBothTypes(string column, object value)
    {
        var row = Valid();
        row[column] = value;

        var error = Assert.Throws<MalformedRowException>(() => AuthorizationCodeRows.Read(row));

        Assert.That(error!.Problem, Does.Contain(column).And.Contain(value.GetType().Name));
    }

    [Test]
    public void ChallengeWithoutMethod_IsMalformed()
    {
        var row = Valid();
        row.Remove("CodeChallengeMethod");

        Assert.Throws<MalformedRowException>(() => AuthorizationCodeRows.Read(row));
    }

    [Test]
    public void MalformedRowMessage_NamesTheShortIdAndTheProblem_ButNoValue()
    {
        var row = Valid();
        row["ExpiresAt"] = "secret-looking value";

        var error = Assert.Throws<MalformedRowException>(() => AuthorizationCodeRows.Read(row));

        Assert.That(error!.Message, Does.Contain(GrantKeys.ForLog(row.PartitionKey)).And.Contain("ExpiresAt").And.Not.Contain("secret-looking value"));
    }

    private static TableEntity Valid() => new(GrantKeys.ForCode("some-code"), AuthorizationCodeEntity.Row)
    {
        ["ClientId"] = "client-1",
        ["RedirectUri"] = "https://app.example.test/cb",
        ["CodeChallenge"] = new string('A', 43),
        ["CodeChallengeMethod"] = "S256",
        ["Subject"] = "alice",
        ["Scope"] = "orders:read",
        ["IssuedAt"] = new DateTimeOffset(2026, 12, 2, 10, 0, 0, TimeSpan.Zero),
        ["ExpiresAt"] = new DateTimeOffset(2026, 12, 2, 10, 5, 0, TimeSpan.Zero),
    };
}
