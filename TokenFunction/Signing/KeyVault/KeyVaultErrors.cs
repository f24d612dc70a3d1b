using Azure;
using Azure.Identity;
using Microsoft.Extensions.Logging;

namespace TokenFunction.Signing.KeyVault;

/// <summary>Turns client faults into <see cref="KeyVaultSigningException"/>, logging a line an operator can act on.</summary>
internal sealed partial class KeyVaultErrors(ILogger logger, KeyVaultKeyIdentifier key, string? managedIdentityClientId)
{
    private string Identity => managedIdentityClientId is null
        ? "the function app's system-assigned managed identity"
        : $"the managed identity with client id {managedIdentityClientId} (Identity__ManagedIdentityClientId)";

    /// <summary>The exception to throw instead of <paramref name="exception"/>, or null to let it propagate (caller cancellation, already mapped).</summary>
    public KeyVaultSigningException? Map(Exception exception, string operation, CancellationToken cancellationToken)
    {
        switch (exception)
        {
            case KeyVaultSigningException:
                return null;
            case OperationCanceledException when cancellationToken.IsCancellationRequested:
                return null;
            case RequestFailedException { Status: 401 or 403 } denied:
                string fix = denied.Status == 403
                    ? $"Give {Identity} the 'Key Vault Crypto User' role on the vault (Azure RBAC), or get, list and sign key permissions in the vault's access policy."
                    : $"The vault rejected the token of {Identity}: check that the identity belongs to the vault's tenant and that Identity__ManagedIdentityClientId is right.";
                LogDenied(logger, operation, key.ToString(), denied.Status, denied.ErrorCode, fix);
                return new KeyVaultSigningException(
                    $"Key Vault denied {operation} on {key} (HTTP {denied.Status} {denied.ErrorCode}). {fix}", isTransient: false, denied.Status, denied);
            case RequestFailedException { Status: 404 } missing:
                LogFailed(logger, operation, key.ToString(), missing.Status, missing.Message, exception);
                return new KeyVaultSigningException(
                    $"Key Vault has no key {key} (HTTP 404 {missing.ErrorCode}). Check Signing__KeyVaultKeyId.", isTransient: false, 404, missing);
            case RequestFailedException { Status: 0 or 408 or 429 or >= 500 } transient:
                LogTransient(logger, operation, key.ToString(), transient.Status, transient.Message);
                return new KeyVaultSigningException(
                    $"Key Vault is unavailable for {operation} on {key} (HTTP {transient.Status} {transient.ErrorCode}).", isTransient: true, transient.Status, transient)
                {
                    RetryAfter = transient.GetRawResponse() is { } response ? KeyVaultRetryPolicy.ServerDelay(response) : null,
                };
            case RequestFailedException other:
                LogFailed(logger, operation, key.ToString(), other.Status, other.Message, exception);
                return new KeyVaultSigningException(
                    $"Key Vault refused {operation} on {key} (HTTP {other.Status} {other.ErrorCode}).", isTransient: false, other.Status, other);
            case CredentialUnavailableException or AuthenticationFailedException:
                LogFailed(logger, operation, key.ToString(), null, exception.Message, exception);
                return new KeyVaultSigningException(
                    $"No token for Key Vault could be obtained for {operation} on {key} with {Identity}: {exception.Message}", isTransient: false, null, exception);
            case AggregateException or OperationCanceledException or TimeoutException or IOException or HttpRequestException:
                // Azure.Core: per-try NetworkTimeout (TaskCanceledException) and "retry failed after N tries" (AggregateException).
                LogTransient(logger, operation, key.ToString(), null, exception.Message);
                return new KeyVaultSigningException(
                    $"Key Vault did not answer {operation} on {key} in time or the connection failed: {exception.Message}", isTransient: true, null, exception);
            case InvalidOperationException or FormatException or System.Text.Json.JsonException:
                LogFailed(logger, operation, key.ToString(), null, exception.Message, exception);
                return new KeyVaultSigningException($"Key Vault {operation} on {key} failed: {exception.Message}", isTransient: false, null, exception);
            default:
                return null;
        }
    }

    /// <summary>A fault of the key material or configuration found by this service, not by the vault.</summary>
    public KeyVaultSigningException Invalid(string message)
    {
        LogInvalid(logger, key.ToString(), message);
        return new KeyVaultSigningException(message, isTransient: false);
    }

    [LoggerMessage(EventId = 4101, Level = LogLevel.Error,
        Message = "Key Vault denied {Operation} on {Key} (HTTP {Status} {ErrorCode}): tokens cannot be signed. {Fix}")]
    private static partial void LogDenied(ILogger logger, string operation, string key, int status, string? errorCode, string fix);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Warning,
        Message = "Key Vault unavailable for {Operation} on {Key} (HTTP {Status}): {Reason}")]
    private static partial void LogTransient(ILogger logger, string operation, string key, int? status, string reason);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Error,
        Message = "Key Vault {Operation} on {Key} failed (HTTP {Status}): {Reason}")]
    private static partial void LogFailed(ILogger logger, string operation, string key, int? status, string reason, Exception exception);

    [LoggerMessage(EventId = 4104, Level = LogLevel.Error, Message = "Key Vault key {Key} cannot sign tokens: {Reason}")]
    private static partial void LogInvalid(ILogger logger, string key, string reason);
}
