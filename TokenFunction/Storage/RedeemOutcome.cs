namespace TokenFunction.Storage;

public enum RedeemOutcome
{
    /// <summary>This request consumed the code.</summary>
    Redeemed,

    /// <summary>Another request consumed it first, or the grant was revoked or is gone.</summary>
    AlreadyRedeemed,
}

/// <summary>What a redemption ended as; <see cref="Current"/> is the row as re-read when another request won (null if gone).</summary>
public sealed record RedeemResult(RedeemOutcome Outcome, AuthorizationCodeEntity? Current = null);
