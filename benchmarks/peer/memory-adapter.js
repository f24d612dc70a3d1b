// BENCH-ONLY. An in-memory storage adapter for node-oidc-provider, written for scripts/bench.
// The provider's own development adapter keeps at most about 1,000 entries (an LRU), fewer than the codes, grants and
// refresh tokens one benchmark run holds, so entries would vanish mid-run. This one is the same idea without the bound:
// plain Maps, entries expire at their TTL (checked on read and swept once a minute), and a grant index so that
// revokeByGrantId (refresh token reuse, a replayed code) revokes every token of a grant.

const sweepIntervalMs = 60_000;
const entries = new Map(); // "Model:id" -> { payload, expiresAt }
const grants = new Map(); // grantId -> Set of "Model:id" keys
const sessionUids = new Map(); // uid -> session id
const userCodes = new Map(); // user code -> device code id
const grantable = new Set(['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest', 'PreAuthorizedCode']);

const nowSeconds = () => Math.floor(Date.now() / 1000);

function live(key) {
  const entry = entries.get(key);
  if (entry === undefined) return undefined;
  if (entry.expiresAt !== undefined && entry.expiresAt <= Date.now()) {
    entries.delete(key);
    return undefined;
  }
  return entry.payload;
}

setInterval(() => {
  const now = Date.now();
  for (const [key, entry] of entries) {
    if (entry.expiresAt !== undefined && entry.expiresAt <= now) entries.delete(key);
  }
  for (const [grantId, keys] of grants) {
    for (const key of keys) if (!entries.has(key)) keys.delete(key);
    if (keys.size === 0) grants.delete(grantId);
  }
}, sweepIntervalMs).unref();

export default class MemoryAdapter {
  constructor(model) {
    this.model = model;
  }

  key(id) {
    return `${this.model}:${id}`;
  }

  async upsert(id, payload, expiresIn) {
    const key = this.key(id);
    entries.set(key, { payload, expiresAt: typeof expiresIn === 'number' ? Date.now() + expiresIn * 1000 : undefined });
    if (grantable.has(this.model) && payload.grantId) {
      let keys = grants.get(payload.grantId);
      if (keys === undefined) grants.set(payload.grantId, keys = new Set());
      keys.add(key);
    }
    if (this.model === 'Session' && payload.uid) sessionUids.set(payload.uid, id);
    if (payload.userCode) userCodes.set(payload.userCode, id);
  }

  async find(id) {
    return live(this.key(id));
  }

  async findByUid(uid) {
    const id = sessionUids.get(uid);
    return id === undefined ? undefined : this.find(id);
  }

  async findByUserCode(userCode) {
    const id = userCodes.get(userCode);
    return id === undefined ? undefined : this.find(id);
  }

  async consume(id) {
    const payload = live(this.key(id));
    if (payload) payload.consumed = nowSeconds();
  }

  async destroy(id) {
    const key = this.key(id);
    const payload = live(key);
    entries.delete(key);
    if (payload?.grantId) grants.get(payload.grantId)?.delete(key);
  }

  async revokeByGrantId(grantId) {
    for (const key of grants.get(grantId) ?? []) entries.delete(key);
    grants.delete(grantId);
  }
}

/** How many entries are held: the bench prints it next to the peer's working set. */
export function entryCount() {
  return entries.size;
}
