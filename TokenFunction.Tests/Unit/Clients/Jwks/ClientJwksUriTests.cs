using TokenFunction.Clients.Assertions;

namespace TokenFunction.Tests.Unit.Clients.Jwks;

public class ClientJwksUriTests
{
    [TestCase("https://client.example.com/.well-known/jwks.json")]
    [TestCase("https://client.example.com:8443/keys?tenant=a")]
    [TestCase("http://localhost:5000/jwks")]
    [TestCase("http://LOCALHOST/jwks")]
    [TestCase("http://127.0.0.1:5000/jwks")]
    [TestCase("http://127.8.9.10/jwks")]
    [TestCase("http://[::1]:5000/jwks")]
    public void IsAcceptable_AcceptsHttpsAndLoopbackHttp(string uri)
    {
        var acceptable = ClientJwksUri.IsAcceptable(new Uri(uri), out var reason);

        Assert.That(acceptable, Is.True, reason);
        Assert.That(reason, Is.Null);
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
        var acceptable = ClientJwksUri.IsAcceptable(new Uri(uri), out var reason);

        Assert.That(acceptable, Is.False);
        Assert.That(reason, Does.Contain(reasonPart));
    }

    [Test]
    public void IsAcceptable_RefusesARelativeUrl()
    {
        var acceptable = ClientJwksUri.IsAcceptable(new Uri("/jwks", UriKind.Relative), out var reason);

        Assert.That(acceptable, Is.False);
        Assert.That(reason, Does.Contain("absolute"));
    }
}
