using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace TokenFunction.Tests.Infrastructure;

/// <summary>
/// Makes each test's requests come from an address of its own (198.18.0.0/15, set in X-Forwarded-For, which the service
/// honours from a loopback peer): the failed-authentication throttle then counts each test's failures apart, as it
/// would count different clients', instead of every test sharing 127.0.0.1.
/// </summary>
public sealed class PerTestSourceAddress : DelegatingHandler
{
    public PerTestSourceAddress(HttpMessageHandler inner)
        : base(inner)
    {
    }

    public static IPAddress Current()
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(TestContext.CurrentContext.Test.FullName));
        return new IPAddress([198, (byte)(18 + (hash[0] & 1)), hash[1], hash[2]]);
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (!request.Headers.Contains("X-Forwarded-For"))
        {
            request.Headers.Add("X-Forwarded-For", Current().ToString());
        }

        return base.SendAsync(request, cancellationToken);
    }
}
