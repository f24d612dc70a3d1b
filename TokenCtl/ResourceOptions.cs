using TokenFunction.Protocol;

namespace TokenCtl;

/// <summary>The <c>--resource URI</c> option of <c>client add</c> and <c>code issue</c>: RFC 8707's rule, one message.</summary>
public static class ResourceOptions
{
    public static void Validate(IEnumerable<string> resources)
    {
        if (resources.FirstOrDefault(r => !ResourceIndicators.IsValid(r)) is { } invalid)
        {
            throw new UsageException($"--resource '{invalid}' must be an absolute URI without a fragment");
        }
    }
}
