using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TokenFunction.Hosting;

namespace TokenFunction.Tests.Unit.Hosting;

/// <summary>
/// Kestrel follows the operator's opt-in to inline socket completions (docs/deploy.md): with it, requests run on the
/// socket thread that read them; without it (the default), Kestrel hands them to the thread pool as the platform does.
/// </summary>
[NonParallelizable]
public sealed class SocketCompletionsTests
{
    [TestCase("1", true)]
    [TestCase("0", false)]
    [TestCase(null, false)]
    public void KestrelSchedulesRequestsInline_ExactlyWhenTheOperatorOptedIn(string? setting, bool inline)
    {
        var before = Environment.GetEnvironmentVariable(SocketCompletions.Variable);
        Environment.SetEnvironmentVariable(SocketCompletions.Variable, setting);
        try
        {
            using var services = new ServiceCollection().AddSocketCompletionScheduling().BuildServiceProvider();

            Assert.That(services.GetRequiredService<IOptions<SocketTransportOptions>>().Value.UnsafePreferInlineScheduling, Is.EqualTo(inline));
        }
        finally
        {
            Environment.SetEnvironmentVariable(SocketCompletions.Variable, before);
        }
    }
}
