import type { Where } from '../core/where.ts'

/** keepalived's `virtual_server` blocks compiled for the kernel path (LVS on
 *  nftables). Produced by config/keepalived/virtual-server.ts, read by l4/.
 *  Plain data (sent to child processes as is). Durations are milliseconds. */

/** What nftables can express: rr and wrr by `numgen inc`, sh and mh by `jhash ip saddr`. */
export type L4Algo = 'rr' | 'wrr' | 'sh' | 'mh'

export interface L4Endpoint {
  readonly addr: string
  readonly port: number
}

export interface L4UrlPlan {
  readonly path: string
  /** status_code lines as [low, high] ranges; empty = any 2xx (keepalived's default) */
  readonly statusCodes: readonly (readonly [number, number])[]
  /** lower-case hex MD5 of the body, or null */
  readonly digest: string | null
}

/** One checker of a real server (keepalived TCP_CHECK, HTTP_GET, SSL_GET, MISC_CHECK). */
export interface L4CheckerPlan {
  readonly kind: 'tcp' | 'http' | 'ssl' | 'misc'
  /** connect_ip / connect_port; "" / 0 = the real server's */
  readonly connectIp: string
  readonly connectPort: number
  readonly connectTimeout: number
  /** failed checks retried before the server is taken out (retry / nb_get_retry) */
  readonly retry: number
  readonly delayBeforeRetry: number
  /** delay_loop of the checker (defaults to the virtual server's) */
  readonly delayLoop: number
  /** HTTP_GET / SSL_GET */
  readonly urls: readonly L4UrlPlan[]
  /** MISC_CHECK: command line run by /bin/sh -c; exit 0 = up */
  readonly miscPath: string
  readonly miscTimeout: number
  /** misc_dynamic: exit status 2..255 = up with weight <status> − 2; 0 = up, weight unchanged; 1 = down */
  readonly miscDynamic: boolean
  /** alpha: the checker starts failed, so its real server is added only after its first success (absent = false) */
  readonly alpha?: boolean
  readonly where: Where
}

export interface RealServerPlan {
  readonly addr: string
  readonly port: number
  readonly weight: number
  /** inhibit_on_failure: a failed server stays listed with weight 0 instead of being removed */
  readonly inhibitOnFailure: boolean
  /** no checker = always up */
  readonly checkers: readonly L4CheckerPlan[]
  /** notify_up / notify_down: command lines run by /bin/sh -c when the server goes up / down (absent = none) */
  readonly notifyUp?: string | null
  readonly notifyDown?: string | null
  readonly where: Where
}

/** quorum, hysteresis, quorum_up, quorum_down of a virtual server (keepalived: quorum 1, hysteresis 0). */
export interface L4QuorumPlan {
  /** the least sum of the weights of the live real servers with which the service is "up" */
  readonly quorum: number
  /** lost below quorum − hysteresis, gained again at quorum + hysteresis */
  readonly hysteresis: number
  /** command lines run by /bin/sh -c when the quorum is gained / lost; null = none */
  readonly up: string | null
  readonly down: string | null
}

export interface VirtualServerPlan {
  /** "10.0.0.1:80" or "group NAME", as keepalived names it in logs */
  readonly name: string
  /** identifier safe in nftables object names, unique in the plan */
  readonly key: string
  /** the VIP:port pairs matched (several for `virtual_server group`) */
  readonly addresses: readonly L4Endpoint[]
  readonly protocol: 'tcp' | 'udp'
  readonly algo: L4Algo
  /** lb_kind NAT: DNAT to the real server plus masquerade (conntrack keeps each flow).
   *  lb_kind DR: the packet is sent unchanged to the real server's MAC on the VIP's
   *  link (nftables netdev ingress, l4/dr-ruleset.ts); the real server answers the
   *  client itself. */
  readonly kind: 'NAT' | 'DR'
  readonly delayLoop: number
  /** persistence_timeout: a client (source address) keeps its real server this long after its last new flow; 0 = none */
  readonly persistenceTimeout: number
  /** used while no real server is up */
  readonly sorryServer: L4Endpoint | null
  readonly realServers: readonly RealServerPlan[]
  /** absent = keepalived's defaults (quorum 1, hysteresis 0, no scripts) */
  readonly quorum?: L4QuorumPlan
  /** omega: at stop or removal of the service, the notify_down of its live real servers and its quorum_down are run */
  readonly omega?: boolean
  /** ha_suspend: the checks run only while one of the service's VIPs is an address of this node */
  readonly haSuspend?: boolean
  readonly where: Where
}
