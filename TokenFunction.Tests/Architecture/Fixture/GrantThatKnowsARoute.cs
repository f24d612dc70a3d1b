namespace TokenFunction.Tests.Architecture.Fixture;

/// <summary>A deliberate offender for the checker's own test: it reaches a route only inside a method body.</summary>
internal sealed class GrantThatKnowsARoute
{
    public static string TokenEndpoint(string issuer) => Functions.Routes.Absolute(issuer, "token");
}
