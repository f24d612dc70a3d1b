namespace TokenFunction.Clients;

/// <summary>
/// A small ranked list of what people put into secrets first: the most common passwords, the words of famous
/// passphrases, the words of this domain, then frequent English words. <see cref="SecretStrength"/> prices a word by
/// its rank, so order matters (earlier is cheaper). It is deliberately small: it catches the obvious, and the 128-bit
/// bar does the rest (a secret of real words long enough to pass by length alone is rare, and --generate-secret is the
/// way recommended).
/// </summary>
internal static class CommonSecretWords
{
    private const string Ranked = """
        password 123456 12345678 qwerty 123456789 12345 1234 111111 1234567 dragon 123123 baseball abc123 football
        monkey letmein shadow master 696969 michael mustang 666666 qwertyuiop 123321 1234567890 pussy superman 654321
        1qaz2wsx 7777777 fuckyou qazwsx jordan jennifer 123qwe 121212 killer trustno1 hunter harley zxcvbnm asdfgh buster
        batman soccer tigger charlie robert access sunshine iloveyou princess welcome login admin administrator passw0rd
        starwars solo whatever freedom flower hottie loveme zaq1zaq1 password1 p@ssw0rd secret changeme default guest
        root toor test tester testing qwerty123 welcome1 hello hello123 computer internet samsung ginger pepper cheese
        summer winter spring autumn matrix thomas hockey ranger daniel hannah maggie jessica andrew joshua george
        pokemon nicole ashley amanda yankees silver golden orange purple diamond chocolate cookie banana apple
        correcthorsebatterystaple correct horse battery staple trustme opensesame
        client secret clientsecret token access refresh bearer oauth oauth2 openid auth authorization authenticate
        azure microsoft windows linux google amazon github gitlab docker kubernetes server service services database
        prod production staging stage develop development dev local localhost sample example demo private public
        key keys apikey private_key signing jwt jwks api backend frontend portal billing reports report orders order
        payment payments invoice invoices customer customers account accounts user users username system systems
        company business office manager support contoso fabrikam northwind adventure works
        the and that have for not with you this but his from they say her she will one all would there their what
        out about who get which when make can like time just him know take people into year your good some could
        them see other than then now look only come its over think also back after use two how our work first well
        way even new want because any these give day most very great little world life hand part child eye woman
        place week case point number group problem fact home water room mother area money story month right study
        book word business issue side kind head house friend father power hour game line member city community name
        president team minute idea body information nothing ago lead social understand whether watch together follow
        around parent stop face anything create public already speak others read level allow office spend door
        health person art sure such history party result change morning reason research girl guy early food moment
        himself air teacher force offer enough education across although remember foot second boy maybe toward able
        black white green blue yellow brown red pink gray grey dark light night sun moon star sky cloud rain snow
        fire earth wind stone tree forest river ocean sea mountain island garden field bird fish dog cat lion tiger
        bear wolf eagle falcon phoenix unicorn angel devil ghost magic wizard knight king queen prince castle sword
        shield dragonfly butterfly rocket planet galaxy cosmos space universe future past present forever always
        never love peace happy lucky money honey sugar candy coffee music guitar piano dance movie video photo
        picture camera phone mobile laptop desktop keyboard mouse monitor network wireless router cloudy storage
        table tables vault signing certificate cert admin123 root123 pass pass123 passwd pwd letmein123
        """;

    /// <summary>Each word, lower case, with its rank (1 for the first).</summary>
    public static IReadOnlyDictionary<string, int> Ranks { get; } = BuildRanks();

    /// <summary>The length of the longest word, which bounds the substrings worth looking up.</summary>
    public static int MaxLength { get; } = Ranks.Keys.Max(w => w.Length);

    private static Dictionary<string, int> BuildRanks()
    {
        var ranks = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var word in Ranked.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            // A word listed twice keeps its better (earlier) rank.
            ranks.TryAdd(word, ranks.Count + 1);
        }

        return ranks;
    }
}
