namespace TokenFunction.Protocol;

/// <summary>
/// Refuses credentials in the URL, where logs and proxies keep them: shared by every endpoint that takes a client's
/// credentials or a token in a form body (token, revocation).
/// </summary>
public static class QueryCredentials
{
    /// <param name="queryParameterNames">The names of the request URL's query parameters.</param>
    public static void Reject(IEnumerable<string> queryParameterNames)
    {
        var present = queryParameterNames.ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var name in OAuthParameterNames.Credentials)
        {
            if (present.Contains(name))
            {
                throw OAuthProtocolException.InvalidRequest($"The '{name}' parameter must be sent in the request body, never in the URL.");
            }
        }
    }
}
