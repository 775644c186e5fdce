/** The balancer family's contract (HAProxy lb_ops, undici pool "pick").
 *  One file per algorithm implements BalancerFactory; balance/registry.ts maps
 *  names to factories. Nothing here does IO or knows HTTP. */

/** Live state of one server as the balancers see it. Owned by the backend's
 *  runtime (proxy/backend-runtime.ts); balancers read it and are told of
 *  changes through serverUp/serverDown/weightChanged. */
export interface LbServer {
  /** 1-based position in the backend's declaration order (HAProxy puid) */
  readonly id: number
  readonly name: string
  readonly backup: boolean
  /** Effective weight 0..256 (after `set weight`, agent, slowstart). 0 = never picked by weighted algos */
  weight: number
  /** Eligible for new traffic: UP (checks) and admin state READY. DRAIN = up with weight 0 for LB */
  usable: boolean
  /** Current connections established or being established to it */
  cur: number
  /** Server maxconn, 0 = unlimited */
  maxconn: number
}

export type AlgoName =
  | 'roundrobin' | 'static-rr' | 'leastconn' | 'first' | 'source'
  | 'uri' | 'url_param' | 'hdr' | 'random' | 'rdp-cookie'

export interface Balancer {
  readonly algo: AlgoName
  /** Hot path. Returns a usable server or null when none can take it.
   *  <key> is a 32-bit unsigned hash (only read by hashing algorithms;
   *  pass -1 when the key is missing so they fall back as HAProxy does).
   *  <avoid> is the server that just failed, skipped when another is usable
   *  (HAProxy srvtoavoid, used by redispatch). Must not allocate. */
  pick (key: number, avoid: LbServer | null): LbServer | null
  serverUp (s: LbServer): void
  serverDown (s: LbServer): void
  weightChanged (s: LbServer): void
  /** leastconn / first need to know when a connection is taken or released */
  connTaken (s: LbServer): void
  connDropped (s: LbServer): void
}

export interface BalanceOpts {
  /** 'map-based' (default) or 'consistent' for hashing algorithms */
  hashMethod: 'map-based' | 'consistent'
  /** random: number of draws (power of two choices), default 2 */
  draws: number
  /** Injected randomness for `random` (tests pass a seeded source) */
  rand: () => number
  /** `option allbackups`: when no active server is usable, all usable backups
   *  share the load; default false = only the first usable backup is used */
  allbackups?: boolean
}

export type BalancerFactory = (servers: readonly LbServer[], opts: BalanceOpts) => Balancer
