using LoadGenerator;

// The load generator of scripts/bench: one client for both token servers (ours and the peer), run as its own process
// so that its CPU never counts as theirs. Commands: run, pair, coldstart, soak, report (see each class).
try
{
    var options = new Options(args.Skip(1));
    return args.FirstOrDefault() switch
    {
        "run" => await TokenRun.RunAsync(options).ConfigureAwait(false),
        "pair" => await StoragePair.RunAsync(options).ConfigureAwait(false),
        "coldstart" => await ColdStart.RunAsync(options).ConfigureAwait(false),
        "soak" => await Soak.RunAsync(options).ConfigureAwait(false),
        "report" => Report.Run(options),
        _ => throw new ArgumentException("usage: loadgen run|pair|coldstart|soak|report --name value ..."),
    };
}
catch (ArgumentException e)
{
    await Console.Error.WriteLineAsync("loadgen: " + e.Message).ConfigureAwait(false);
    return 2;
}
