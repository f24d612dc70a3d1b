namespace TokenFunction.Grants;

/// <summary>Code issuance, the authorize step's side (<c>tokenctl code issue</c>): stores a new code's grant and returns the code.</summary>
public interface IAuthorizationCodeIssuer
{
    /// <summary>Stores the grant behind a new, random code and returns the code; only its hash is kept.</summary>
    Task<string> IssueAsync(NewAuthorizationCode request, CancellationToken cancellationToken);
}
