namespace TokenFunction.Clients;

/// <summary>Client lookup: a registration by client id, for authentication.</summary>
public interface IClientLookup
{
    /// <summary>The registration, or null when there is none.</summary>
    /// <exception cref="Grants.MalformedRowException">The stored registration breaks the documented layout.</exception>
    Task<OAuthClient?> FindAsync(string clientId, CancellationToken cancellationToken);
}

/// <summary>Client registration, the operator's side (<c>tokenctl client add</c> and <c>remove</c>).</summary>
public interface IClientRegistry : IClientLookup
{
    /// <summary>Registers a client; with <paramref name="replace"/> an existing registration is overwritten.</summary>
    /// <returns>False when the client exists and <paramref name="replace"/> is not set.</returns>
    Task<bool> SaveAsync(OAuthClient client, bool replace, CancellationToken cancellationToken);

    /// <summary>Deletes a registration; its requests fail authentication from then on.</summary>
    /// <returns>False when no such client was registered.</returns>
    Task<bool> RemoveAsync(string clientId, CancellationToken cancellationToken);
}
