namespace TokenFunction.Protocol;

/// <summary>RFC 8707 resource indicators: which resources a token request asks for, and whether the client may.</summary>
public static class ResourceIndicators
{
    /// <summary>RFC 8707 section 2: an absolute URI without a fragment.</summary>
    public static bool IsValid(string resource) => AbsoluteUri.IsValidWithoutFragment(resource);

    /// <summary>
    /// The requested resources (duplicates dropped, order kept), each valid and within <paramref name="allowed"/>;
    /// otherwise <c>invalid_target</c>. None requested: an empty list (the caller applies its default).
    /// </summary>
    public static IReadOnlyList<string> Granted(FormParameters parameters, IReadOnlySet<string> allowed)
    {
        var asked = parameters.Resources.Distinct(StringComparer.Ordinal).ToList();
        foreach (var resource in asked)
        {
            if (!IsValid(resource))
            {
                throw new OAuthProtocolException(OAuthErrorCodes.InvalidTarget, $"The resource {ErrorText.Quote(resource)} is not an absolute URI without a fragment.");
            }

            if (!allowed.Contains(resource))
            {
                throw new OAuthProtocolException(OAuthErrorCodes.InvalidTarget, $"The resource {ErrorText.Quote(resource)} is not registered for this client.");
            }
        }

        return asked;
    }
}
