namespace TokenFunction.Storage;

public enum RedeemOutcome
{
    /// <summary>This request consumed the code.</summary>
    Redeemed,

    /// <summary>Another request consumed it first (or it is gone): a replay.</summary>
    AlreadyRedeemed,
}
