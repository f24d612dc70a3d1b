using Azure;
using TokenFunction.Endpoints;

namespace TokenFunction.Tests.Unit.Endpoints;

public class FaultClassifierTests
{
    [TestCase(0)]
    [TestCase(408)]
    [TestCase(429)]
    [TestCase(500)]
    [TestCase(502)]
    [TestCase(503)]
    [TestCase(504)]
    public void IsTransient_StorageStatusesARetryMayCure(int status)
    {
        Assert.That(FaultClassifier.IsTransient(new RequestFailedException(status, "storage")), Is.True);
    }

    [TestCase(400)]
    [TestCase(403)]
    [TestCase(404)]
    [TestCase(409)]
    [TestCase(412)]
    public void IsTransient_NotForStatusesARetryCannotCure(int status)
    {
        Assert.That(FaultClassifier.IsTransient(new RequestFailedException(status, "storage")), Is.False);
    }

    [Test]
    public void IsTransient_NetworkFaultsAreTransient()
    {
        Assert.Multiple(() =>
        {
            Assert.That(FaultClassifier.IsTransient(new HttpRequestException("reset")), Is.True);
            Assert.That(FaultClassifier.IsTransient(new TimeoutException()), Is.True);
            Assert.That(FaultClassifier.IsTransient(new IOException()), Is.True);
            Assert.That(FaultClassifier.IsTransient(new TaskCanceledException()), Is.True);
        });
    }

    [Test]
    public void IsTransient_ProgrammingErrorsAreNot()
    {
        Assert.Multiple(() =>
        {
            Assert.That(FaultClassifier.IsTransient(new InvalidOperationException()), Is.False);
            Assert.That(FaultClassifier.IsTransient(new ArgumentException("a bug")), Is.False);
            Assert.That(FaultClassifier.IsTransient(new FormatException()), Is.False);
        });
    }

    [Test]
    public void IsTransient_AggregateOnlyWhenEveryInnerFaultIs()
    {
        Assert.Multiple(() =>
        {
            Assert.That(FaultClassifier.IsTransient(new AggregateException(new TimeoutException(), new RequestFailedException(503, "x"))), Is.True);
            Assert.That(FaultClassifier.IsTransient(new AggregateException(new TimeoutException(), new InvalidOperationException())), Is.False);
        });
    }
}
