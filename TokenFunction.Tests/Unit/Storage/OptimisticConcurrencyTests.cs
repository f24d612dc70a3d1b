using Azure;
using TokenFunction.Storage;

namespace TokenFunction.Tests.Unit.Storage;

/// <summary>The Table stores' one read / conditional write / re-read protocol, with writes and reads scripted.</summary>
public sealed class OptimisticConcurrencyTests
{
    [Test]
    public async Task AWriteThatSucceeds_IsTheAnswer_WithoutARead()
    {
        var reads = 0;

        var result = await WriteAsync(_ => "written", () => { reads++; return "current"; }, (_, _) => throw new AssertionException("not judged"));

        Assert.That((result, reads), Is.EqualTo(("written", 0)));
    }

    [Test]
    public async Task AFailedWriteWhoseReReadShowsThisRequestsSuccess_IsASuccess()
    {
        // Azure.Core retried a write whose answer was lost: the retry meets 412, the row carries our mark.
        var result = await WriteAsync(_ => throw new RequestFailedException(412, "precondition failed"), () => "ours",
            (current, _) => current == "ours" ? Verdict<int, string>.Settled("won") : Verdict<int, string>.Settled("lost"));

        Assert.That(result, Is.EqualTo("won"));
    }

    [Test]
    public async Task AFailedWriteWhoseReReadShowsNothingDecisive_IsWrittenAgainAgainstTheNewState()
    {
        var states = new List<int>();

        var result = await WriteAsync(
            state => { states.Add(state); return state < 3 ? throw new RequestFailedException(500, "Transaction Overlap!") : "written"; },
            () => "unchanged",
            (_, _) => Verdict<int, string>.WriteAgain(states[^1] + 1));

        Assert.Multiple(() =>
        {
            Assert.That(result, Is.EqualTo("written"));
            Assert.That(states, Is.EqualTo(new[] { 1, 2, 3 }), "each attempt against the state the re-read gave");
        });
    }

    [Test]
    public async Task WhenEveryAttemptFails_TheLastFailurePropagates()
    {
        var attempts = 0;

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => WriteAsync(
            _ => { attempts++; throw new RequestFailedException(412, "precondition failed"); },
            () => "unchanged",
            (_, _) => Verdict<int, string>.WriteAgain(1)));

        Assert.That(error!.Status, Is.EqualTo(412));
        Assert.That(attempts, Is.EqualTo(5));
    }

    [Test]
    public async Task AFailureThatIsNotContention_PropagatesWithoutARead()
    {
        var reads = 0;

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => OptimisticConcurrency.WriteAsync(
            1,
            (_, _) => Task.FromException<string>(new RequestFailedException(403, "forbidden")),
            isContention: e => e.Status == 412,
            reread: _ => { reads++; return Task.FromResult("current"); },
            judge: (_, _) => Verdict<int, string>.Settled("never"),
            maxAttempts: 5,
            CancellationToken.None));

        Assert.That(error!.Status, Is.EqualTo(403));
        Assert.That(reads, Is.Zero);
    }

    private static Task<string> WriteAsync(Func<int, string> write, Func<string> reread, Func<string, RequestFailedException, Verdict<int, string>> judge) =>
        OptimisticConcurrency.WriteAsync(
            1,
            (state, _) => Task.FromResult(write(state)),
            isContention: _ => true,
            reread: _ => Task.FromResult(reread()),
            judge,
            maxAttempts: 5,
            CancellationToken.None);
}
