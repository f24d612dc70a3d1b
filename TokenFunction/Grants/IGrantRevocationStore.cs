namespace TokenFunction.Grants;

/// <summary>Grant revocation: marks a grant revoked, whatever else changed it since it was read; a revoked grant stays as it is.</summary>
public interface IGrantRevocationStore
{
    Task RevokeAsync(AuthorizationGrant grant, CancellationToken cancellationToken);
}
