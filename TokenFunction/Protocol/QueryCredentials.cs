using Microsoft.AspNetCore.Http;

namespace TokenFunction.Protocol;

/// <summary>
/// Refuses credentials in the URL, where logs and proxies keep them: shared by every endpoint that takes a client's
/// credentials or a token in a form body (token, revocation).
/// </summary>
public static class QueryCredentials
{
    public static void Reject(IQueryCollection query)
    {
        foreach (var name in OAuthParameterNames.Credentials)
        {
            if (query.ContainsKey(name))
            {
                throw OAuthProtocolException.InvalidRequest($"The '{name}' parameter must be sent in the request body, never in the URL.");
            }
        }
    }
}
