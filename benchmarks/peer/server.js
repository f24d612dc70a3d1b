// BENCH-ONLY: not a server to deploy. node-oidc-provider configured for the flows the token service serves, so that
// scripts/bench can measure both under the same load generator on the same machine:
//   authorization_code + PKCE S256, client_secret_post, JWT access tokens (resource indicators; one resource server),
//   rotating refresh tokens, client_credentials, an in-memory store (memory-adapter.js), signing with PEER_ALG.
// The authorize step (login, consent) is not exercised, as on our side (`tokenctl code issue`): a second listener on
// 127.0.0.1 (PEER_CONTROL_PORT), which the provider's app never sees, mints codes through the provider's own models
// (a Grant with the resource scope, then an AuthorizationCode carrying the PKCE challenge) and answers them one per line.
//
// Settings (environment): PEER_PORT, PEER_CONTROL_PORT, PEER_ALG (RS256 | ES256), PEER_CLIENT_ID, PEER_CLIENT_SECRET,
// PEER_REDIRECT_URI, PEER_RESOURCE (the access tokens' audience), PEER_SCOPE.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';

import * as jose from 'jose';
import Provider, { errors } from 'oidc-provider';

import MemoryAdapter, { entryCount } from './memory-adapter.js';

const setting = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

const port = Number(setting('PEER_PORT'));
const controlPort = Number(setting('PEER_CONTROL_PORT'));
const alg = setting('PEER_ALG');
const clientId = setting('PEER_CLIENT_ID');
const clientSecret = setting('PEER_CLIENT_SECRET');
const redirectUri = setting('PEER_REDIRECT_URI');
const resource = setting('PEER_RESOURCE');
const scope = setting('PEER_SCOPE');
if (!['RS256', 'ES256'].includes(alg)) throw new Error('PEER_ALG must be RS256 or ES256');

// RSA 2048 like the service's local RS256 key; P-256 for ES256.
const { privateKey } = await jose.generateKeyPair(alg, { extractable: true, modulusLength: 2048 });
const signingKey = { ...await jose.exportJWK(privateKey), kid: `bench-${alg.toLowerCase()}`, alg, use: 'sig' };

const lifetimes = {
  AccessToken: 600, // Token__AccessTokenLifetimeSeconds's default
  ClientCredentials: 600,
  AuthorizationCode: 600,
  RefreshToken: 14 * 24 * 3600, // Token__RefreshTokenIdleLifetimeSeconds's default
  Grant: 90 * 24 * 3600, // Token__RefreshTokenAbsoluteLifetimeSeconds's default
  IdToken: 600,
  Interaction: 600,
  Session: 14 * 24 * 3600,
};

const provider = new Provider(`http://localhost:${port}`, {
  adapter: MemoryAdapter,
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
    response_types: ['code'],
    redirect_uris: [redirectUri],
    token_endpoint_auth_method: 'client_secret_post',
    id_token_signed_response_alg: alg, // the keystore holds only the one key
  }],
  jwks: { keys: [signingKey] },
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  findAccount: async (_ctx, sub) => ({ accountId: sub, claims: async () => ({ sub }) }),
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: async (_ctx, _client, oneOf) => oneOf ?? resource,
      useGrantedResource: async () => true,
      getResourceServerInfo: async (_ctx, indicator) => {
        if (indicator !== resource) throw new errors.InvalidTarget();
        return { scope, audience: resource, accessTokenTTL: lifetimes.AccessToken, accessTokenFormat: 'jwt', jwt: { sign: { alg } } };
      },
    },
  },
  pkce: { required: () => true },
  issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
  rotateRefreshToken: true,
  ttl: lifetimes,
});

let minted = 0;
async function mint(count, codeChallenge) {
  const client = await provider.Client.find(clientId);
  const codes = [];
  for (let i = 0; i < count; i += 1) {
    const accountId = `user-${minted += 1}`;
    const grant = new provider.Grant({ accountId, clientId });
    grant.addResourceScope(resource, scope);
    const grantId = await grant.save();
    const code = new provider.AuthorizationCode({
      accountId,
      client,
      grantId,
      redirectUri,
      scope,
      resource,
      codeChallenge,
      codeChallengeMethod: 'S256',
      expiresWithSession: false,
    });
    codes.push(await code.save());
  }
  return codes;
}

const control = createServer(async (request, response) => {
  try {
    const url = new URL(request.url, 'http://127.0.0.1');
    if (request.method === 'POST' && url.pathname === '/mint') {
      const count = Number(url.searchParams.get('count'));
      const challenge = url.searchParams.get('code_challenge');
      if (!Number.isInteger(count) || count < 1 || !/^[A-Za-z0-9_-]{43}$/.test(challenge ?? '')) {
        response.writeHead(400).end('count (a positive integer) and code_challenge (S256) are required\n');
        return;
      }
      const codes = await mint(count, challenge);
      response.writeHead(200, { 'content-type': 'text/plain' }).end(`${codes.join('\n')}\n`);
    } else if (request.method === 'GET' && url.pathname === '/stats') {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ entries: entryCount() }));
    } else {
      response.writeHead(404).end();
    }
  } catch (error) {
    console.error(error);
    response.writeHead(500).end(`${error}\n`);
  }
});

provider.listen(port, '127.0.0.1', () => {
  control.listen(controlPort, '127.0.0.1', () => {
    console.log(`peer: node-oidc-provider listening on http://127.0.0.1:${port}, signing ${alg}; control on ${controlPort}`);
  });
});
