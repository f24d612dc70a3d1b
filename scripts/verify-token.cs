// Validates an access token the way a resource server would, with Microsoft.IdentityModel (not the service's own
// code) against the JWKS the service publishes: signature, iss, aud, typ at+jwt, lifetime, and sub/client_id.
// The token comes on standard input, never the command line (process lists are readable). Prints the checked
// claims, never the token.
//   printf '%s' "$token" | dotnet run --file scripts/verify-token.cs -- --jwks URL --issuer ISS --audience AUD --subject CLIENT_ID
#:package Microsoft.IdentityModel.JsonWebTokens@8.23.0

using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

var options = new Dictionary<string, string>(StringComparer.Ordinal);
for (var i = 0; i + 1 < args.Length; i += 2)
{
    options[args[i]] = args[i + 1];
}

string[] required = ["--jwks", "--issuer", "--audience", "--subject"];
if (required.FirstOrDefault(name => !options.ContainsKey(name)) is { } missing)
{
    await Console.Error.WriteLineAsync($"verify-token: {missing} is required ({string.Join(' ', required)}; the token on standard input)").ConfigureAwait(false);
    return 2;
}

var token = (await Console.In.ReadToEndAsync().ConfigureAwait(false)).Trim();
using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
var jwks = new JsonWebKeySet(await http.GetStringAsync(new Uri(options["--jwks"])).ConfigureAwait(false));
var result = await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
{
    ValidIssuer = options["--issuer"],
    ValidAudience = options["--audience"],
    IssuerSigningKeys = jwks.GetSigningKeys(),
    ValidTypes = ["at+jwt"],
    ValidateLifetime = true,
    RequireExpirationTime = true,
    RequireSignedTokens = true,
}).ConfigureAwait(false);

if (!result.IsValid)
{
    await Console.Error.WriteLineAsync($"verify-token: the token is not valid: {result.Exception?.Message}").ConfigureAwait(false);
    return 1;
}

var jwt = (JsonWebToken)result.SecurityToken;
var clientId = jwt.TryGetPayloadValue<string>("client_id", out var value) ? value : null;
if (jwt.Subject != options["--subject"] || clientId != options["--subject"])
{
    await Console.Error.WriteLineAsync($"verify-token: sub '{jwt.Subject}' and client_id '{clientId}' should both be '{options["--subject"]}'").ConfigureAwait(false);
    return 1;
}

Console.WriteLine($"verify-token: valid {jwt.Alg} token from {jwt.Issuer} for {string.Join(' ', jwt.Audiences)}, sub {jwt.Subject}, key {jwt.Kid}, expires {jwt.ValidTo:u}");
return 0;
