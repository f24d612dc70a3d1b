using TokenFunction.Clients.Assertions;

namespace TokenFunction.Tests.Unit.Clients.Jwks;

public class ClientJwksUriTests
{
    [TestCase("https://client.example.com/.well-known/jwks.json")]
    [TestCase("https://client.example.com:8443/keys?tenant=a")]
    [TestCase("https://8.8.8.8/jwks")]
    [TestCase("https://[2606:4700:4700::1111]/jwks")]
    public void IsAcceptable_AcceptsHttpsToANameOrAPublicAddress(string uri)
    {
        var acceptable = ClientJwksUri.IsAcceptable(new Uri(uri), allowLoopback: false, out var reason);

        Assert.That(acceptable, Is.True, reason);
        Assert.That(reason, Is.Null);
    }

    [TestCase("http://localhost:5000/jwks")]
    [TestCase("http://LOCALHOST/jwks")]
    [TestCase("https://localhost/jwks")]
    [TestCase("http://keys.localhost/jwks")]
    [TestCase("http://127.0.0.1:5000/jwks")]
    [TestCase("http://127.8.9.10/jwks")]
    [TestCase("http://[::1]:5000/jwks")]
    [TestCase("https://[::ffff:127.0.0.1]/jwks")]
    public void IsAcceptable_WithAllowLoopback_AcceptsLoopbackHosts_OverHttpToo(string uri)
    {
        var acceptable = ClientJwksUri.IsAcceptable(new Uri(uri), allowLoopback: true, out var reason);

        Assert.That(acceptable, Is.True, reason);
    }

    [TestCase("https://localhost/jwks", "localhost")]
    [TestCase("https://LocalHost./jwks", "localhost")]
    [TestCase("https://keys.localhost/jwks", "localhost")]
    [TestCase("https://127.0.0.1/jwks", "loopback")]
    [TestCase("https://127.8.9.10:8443/jwks", "loopback")]
    [TestCase("https://[::1]/jwks", "loopback")]
    [TestCase("https://[::ffff:127.0.0.1]/jwks", "loopback")]
    [TestCase("http://localhost:5000/jwks", "https")]
    [TestCase("http://127.0.0.1:5000/jwks", "https")]
    public void IsAcceptable_WithoutAllowLoopback_RefusesLoopbackHosts(string uri, string reasonPart)
    {
        var acceptable = ClientJwksUri.IsAcceptable(new Uri(uri), allowLoopback: false, out var reason);

        Assert.That(acceptable, Is.False);
        Assert.That(reason, Does.Contain(reasonPart));
    }

    [TestCase("https://10.0.0.1/jwks", "private")]
    [TestCase("https://172.16.5.4/jwks", "private")]
    [TestCase("https://192.168.1.1/jwks", "private")]
    [TestCase("https://169.254.169.254/latest/meta-data/", "link-local")]
    [TestCase("https://100.64.0.1/jwks", "carrier-grade NAT")]
    [TestCase("https://0.0.0.0/jwks", "this network")]
    [TestCase("https://[fd00::1]/jwks", "unique local")]
    [TestCase("https://[fe80::1]/jwks", "link-local")]
    [TestCase("https://[::ffff:10.0.0.1]/jwks", "private")]
    [TestCase("https://[64:ff9b::a9fe:a9fe]/jwks", "link-local")]
    [TestCase("https://[2002:a00:1::]/jwks", "private")]
    [TestCase("https://0x7f000001/jwks", "loopback")]
    [TestCase("https://2130706433/jwks", "loopback")]
    public void IsAcceptable_RefusesALiteralNonPublicAddress_EvenWithAllowLoopback(string uri, string reasonPart)
    {
        using (Assert.EnterMultipleScope())
        {
            foreach (var allowLoopback in new[] { false, true })
            {
                var acceptable = ClientJwksUri.IsAcceptable(new Uri(uri), allowLoopback, out var reason);

                if (reasonPart == "loopback" && allowLoopback)
                {
                    Assert.That(acceptable, Is.True, "a loopback address in another notation is loopback all the same");
                    continue;
                }

                Assert.That(acceptable, Is.False, $"allowLoopback: {allowLoopback}");
                Assert.That(reason, Does.Contain(reasonPart));
            }
        }
    }

    [TestCase("http://client.example.com/jwks", "https", TestName = "IsAcceptable_RefusesHttpForAPublicHost")]
    [TestCase("http://localhost.example.com/jwks", "https", TestName = "IsAcceptable_RefusesHttpForAHostThatOnlyStartsWithLocalhost")]
    [TestCase("http://10.0.0.1/jwks", "https", TestName = "IsAcceptable_RefusesHttpForAPrivateAddress")]
    [TestCase("ftp://client.example.com/jwks", "https", TestName = "IsAcceptable_RefusesAnotherScheme")]
    [TestCase("https://user:secret@client.example.com/jwks", "user name or password", TestName = "IsAcceptable_RefusesUserinfo")]
    [TestCase("https://client.example.com/jwks#keys", "fragment", TestName = "IsAcceptable_RefusesAFragment")]
    [TestCase("https://client.example.com/jwks#", "fragment", TestName = "IsAcceptable_RefusesAnEmptyFragment")]
    public void IsAcceptable_RefusesWithAReason(string uri, string reasonPart)
    {
        foreach (var allowLoopback in new[] { false, true })
        {
            var acceptable = ClientJwksUri.IsAcceptable(new Uri(uri), allowLoopback, out var reason);

            Assert.That(acceptable, Is.False);
            Assert.That(reason, Does.Contain(reasonPart));
        }
    }

    [Test]
    public void IsAcceptable_RefusesARelativeUrl()
    {
        var acceptable = ClientJwksUri.IsAcceptable(new Uri("/jwks", UriKind.Relative), allowLoopback: true, out var reason);

        Assert.That(acceptable, Is.False);
        Assert.That(reason, Does.Contain("absolute"));
    }

    [TestCase("localhost", true)]
    [TestCase("LOCALHOST.", true)]
    [TestCase("a.b.localhost", true)]
    [TestCase("localhost.example.com", false)]
    [TestCase("mylocalhost", false)]
    public void IsLocalhostName_IsLocalhostAndNamesUnderIt(string host, bool expected)
    {
        Assert.That(ClientJwksUri.IsLocalhostName(host), Is.EqualTo(expected));
    }
}
