namespace TokenFunction.Protocol;

/// <summary>
/// The client sent less body than it announced, or broke the connection while sending it: the client's fault, not a
/// dependency's. Answered 400 when there is still someone to answer, and logged at Debug only.
/// </summary>
public sealed class IncompleteRequestBodyException(Exception innerException)
    : Exception("The request body ended before the length it announced, or the connection broke while it was sent.", innerException);
