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
        var asked = Asked(parameters);
        if (asked.FirstOrDefault(r => !allowed.Contains(r)) is { } unregistered)
        {
            throw new OAuthProtocolException(OAuthErrorCodes.InvalidTarget, $"The resource {ErrorText.Quote(unregistered)} is not registered for this client.");
        }

        return asked;
    }

    /// <summary>
    /// The audiences of a token issued from a grant (code exchange, refresh). A grant that records resources bounds the
    /// request: the resources asked for must be among them (else <c>invalid_target</c>), and none asked for means all
    /// of them. Whatever the token would carry must still be registered for the client: an operator may have removed
    /// a resource since the grant was made, and no new token may name it. A grant without resources is bounded by
    /// <paramref name="registered"/> alone, as <see cref="Granted"/>; none asked for: an empty list (the default audience).
    /// </summary>
    public static IReadOnlyList<string> GrantedWithin(FormParameters parameters, IReadOnlyList<string> grantResources, IReadOnlySet<string> registered)
    {
        // Why the client's registration bounds a grant without resources: codes issued before resources were recorded
        // have none, and RFC 8707 lets a client name the resource at the token endpoint; refusing every resource for
        // them would break clients that already send one on refresh.
        if (grantResources.Count == 0)
        {
            return Granted(parameters, registered);
        }

        var asked = Asked(parameters);
        if (asked.FirstOrDefault(r => !grantResources.Contains(r, StringComparer.Ordinal)) is { } notGranted)
        {
            throw new OAuthProtocolException(OAuthErrorCodes.InvalidTarget, $"The resource {ErrorText.Quote(notGranted)} is not one of the grant's resources.");
        }

        var audiences = asked.Count > 0 ? asked : grantResources;
        if (audiences.FirstOrDefault(r => !registered.Contains(r)) is { } unregistered)
        {
            throw new OAuthProtocolException(OAuthErrorCodes.InvalidTarget, $"The resource {ErrorText.Quote(unregistered)} is no longer registered for this client.");
        }

        return audiences;
    }

    /// <summary>The requested resources, duplicates dropped, order kept; each must be valid, else <c>invalid_target</c>.</summary>
    private static List<string> Asked(FormParameters parameters)
    {
        var asked = parameters.Resources.Distinct(StringComparer.Ordinal).ToList();
        if (asked.FirstOrDefault(r => !IsValid(r)) is { } invalid)
        {
            throw new OAuthProtocolException(OAuthErrorCodes.InvalidTarget, $"The resource {ErrorText.Quote(invalid)} is not an absolute URI without a fragment.");
        }

        return asked;
    }
}
