import type { Where } from '../core/where.ts'
import type { AlgoName } from '../balance/types.ts'
import type { HttpRule, Predicate, SampleExpr, Template } from '../rules/types.ts'
import type { StickTable } from '../rules/stick/table.ts'
import type { StickTables } from '../rules/stick/tables.ts'
import type { TcpRule } from '../rules/tcp-rules.ts'

/** The compiled, frozen result of loading a configuration (HAProxy's proxies
 *  after check_config_validity). Produced only by config/compile.ts; read by
 *  proxy/, checks/, runtime/, log/. All durations are milliseconds; 0 means
 *  "not set" (infinite) unless a field says otherwise. Names are resolved:
 *  a frontend's backends are referenced by name and guaranteed to exist. */
export interface Plan {
  readonly global: GlobalPlan
  /** frontends and listen sections, in declaration order */
  readonly frontends: readonly FrontendPlan[]
  /** backends and listen sections, by name */
  readonly backends: ReadonlyMap<string, BackendPlan>
  /** Warnings produced while compiling (already formatted `[WARNING] ...`) */
  readonly warnings: readonly string[]
  /** Files read (configs, maps, errorfiles), for reload diffs and the UI */
  readonly files: readonly string[]
  /** Stick tables (live state kept in private fields, untouched by the freeze) (added by rules/) */
  readonly stickTables?: StickTables
}

export interface GlobalPlan {
  /** global maxconn; default 2000 when unset... HAProxy derives it from ulimit; we use 4096 */
  readonly maxconn: number
  readonly logs: readonly LogTarget[]
  /** syslog tag; defaults to "pocketlb" (HAProxy defaults to its program name) */
  readonly logTag: string
  readonly logSendHostname: string | null
  readonly statsSockets: readonly StatsSocketPlan[]
  /** `node` (default: the host name) and `description`, shown by `stats show-node|show-desc` */
  readonly node?: string
  readonly description?: string
  readonly tune: TunePlan
  readonly spreadChecks: number
  readonly hardStopAfter: number
  readonly pidfile: string | null
  readonly where: Where
  /** `stats timeout` for the runtime API sockets in ms (HAProxy default 10s) (added by config/) */
  readonly statsTimeout?: number
}

export interface TunePlan {
  /** tune.bufsize (16384) */
  readonly bufsize: number
  /** tune.maxrewrite (1024) — request head must fit in bufsize - maxrewrite */
  readonly maxrewrite: number
  /** tune.http.maxhdr (101) */
  readonly maxhdr: number
}

export interface StatsSocketPlan {
  readonly kind: 'unix' | 'tcp' | 'fd'
  readonly path: string
  readonly host: string
  readonly port: number
  readonly fd: number
  readonly level: 'user' | 'operator' | 'admin'
  readonly mode: number
  readonly where: Where
}

/** `log` line. `global` lines are expanded at compile time. */
export interface LogTarget {
  readonly kind: 'stdout' | 'stderr' | 'udp' | 'unix'
  readonly host: string
  readonly port: number
  readonly path: string
  /** max line length (HAProxy default 1024) */
  readonly maxLen: number
  readonly format: 'rfc3164' | 'rfc5424' | 'raw' | 'short' | 'priority' | 'timed' | 'iso' | 'local'
  /** optional (added by log/): true when `format` was written on the line. HAProxy 2.6
   *  then prints "localhost" as rfc3164 hostname without log-send-hostname; unset = no hostname */
  readonly formatSet?: boolean
  /** syslog facility number 0..23 */
  readonly facility: number
  /** maximum level number sent (0 emerg .. 7 debug), default 7 */
  readonly maxLevel: number
  readonly minLevel: number
  readonly where: Where
}

export interface Timeouts {
  readonly client: number
  readonly server: number
  readonly connect: number
  readonly httpRequest: number
  readonly httpKeepAlive: number
  readonly queue: number
  readonly tunnel: number
  readonly clientFin: number
  readonly serverFin: number
  readonly check: number
  readonly tarpit: number
}

/** How HTTP connections are handled (HAProxy 2.x: keep-alive default). */
export type HttpConnMode = 'keep-alive' | 'server-close' | 'close'

export interface ForwardFor {
  /** header name, default "X-Forwarded-For" */
  readonly header: string
  /** do not add when the source matches this network */
  readonly except: { readonly addr: string; readonly prefix: number } | null
  readonly ifNone: boolean
}

export interface BindPlan {
  readonly kind: 'tcp' | 'unix' | 'fd'
  /** "" = all addresses (":port", "*:port"); "::" for "[::]:port" */
  readonly host: string
  readonly port: number
  /** last port of a range "addr:80-81" (= port when no range) */
  readonly portEnd: number
  readonly path: string
  readonly fd: number
  readonly name: string
  readonly v4v6: boolean
  readonly v6only: boolean
  /** bind-level maxconn, 0 = none */
  readonly maxconn: number
  readonly acceptProxy: boolean
  /** TLS (issue 5): raw words kept for now */
  readonly ssl: boolean
  readonly sslWords: readonly string[]
  /** `ssl` with its words compiled (src/tls/bind-words.ts); absent = plain TCP */
  readonly tls?: BindTlsPlan
  readonly where: Where
}

/** Protocol versions as HAProxy names them (ssl-min-ver / ssl-max-ver). */
export type TlsVersionName = 'SSLv3' | 'TLSv1.0' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3'

/** Options shared by both sides of a TLS connection. */
export interface TlsCommonPlan {
  /** ALPN protocols in preference order, [] = none */
  readonly alpn: readonly string[]
  /** TLS <= 1.2 cipher list / TLS 1.3 suites, null = library default */
  readonly ciphers: string | null
  readonly ciphersuites: string | null
  readonly minVersion: TlsVersionName | null
  readonly maxVersion: TlsVersionName | null
  /** PEM text of `ca-file` / `crl-file`, null = none */
  readonly ca: Buffer | null
  readonly crl: Buffer | null
}

/** One certificate of a bind line (from `crt`, a `crt` directory or a `crt-list`). */
export interface TlsCertPlan {
  /** file it came from, for messages */
  readonly file: string
  /** certificate chain (PEM, leaf first) and private key (PEM) */
  readonly chain: Buffer
  readonly key: Buffer
  /** lower-case names it answers for: exact ("www.example.com") and wildcards ("*.example.com");
   *  from CN and DNS SANs, or the crt-list filters when given */
  readonly names: readonly string[]
  /** crt-list names starting with "!": never served for these */
  readonly excluded: readonly string[]
}

export interface BindTlsPlan extends TlsCommonPlan {
  /** in declaration order; the first one is the default certificate */
  readonly certs: readonly TlsCertPlan[]
  readonly strictSni: boolean
  /** client certificates (`verify`, default none; with a ca-file HAProxy's default is required) */
  readonly verify: 'none' | 'optional' | 'required'
  readonly preferClientCiphers: boolean
  readonly noTlsTickets: boolean
}

export interface ServerTlsPlan extends TlsCommonPlan {
  readonly verify: 'none' | 'required'
  /** `verifyhost <name>`: name the certificate must carry (default: the SNI sent, if any) */
  readonly verifyHost: string | null
  /** `sni <expr>` compiled, null = no SNI sent */
  readonly sni: Template | null
  /** client certificate `crt <pem>`, null = none */
  readonly cert: { readonly chain: Buffer; readonly key: Buffer } | null
  readonly noTlsTickets: boolean
}

export interface CapturePlan {
  /** header name as written; '' for a slot of `declare capture` or `http-request capture … len` */
  readonly name: string
  readonly lname: string
  readonly len: number
}

/** `capture cookie <name> len <n>`: the first cookie whose name starts with <name> (%CC, %CS) */
export interface CaptureCookiePlan {
  readonly name: string
  readonly len: number
}

export interface SwitchRule {
  /** static backend name, or null when <dynamic> computes it */
  readonly backend: string | null
  /** `use_backend %[...]`: evaluated per request; unknown names fall to default_backend */
  readonly dynamic: Template | null
  readonly cond: Predicate | null
  readonly where: Where
}

/** Settings shared by frontends and backends (what `defaults` provides). */
export interface ProxyCommon {
  readonly name: string
  /** unique id (HAProxy iid/puid) assigned in declaration order, starting at 1 */
  readonly id: number
  readonly mode: 'http' | 'tcp'
  readonly timeouts: Timeouts
  readonly httpConnMode: HttpConnMode
  readonly forwardFor: ForwardFor | null
  readonly logs: readonly LogTarget[]
  /** "httplog", "tcplog", "clf", or a custom log-format string; null = no access log format set (HAProxy default line) */
  readonly logFormat: string | null
  readonly dontlognull: boolean
  readonly logSeparateErrors: boolean
  /** errorfile code → full raw HTTP response bytes */
  readonly errorfiles: ReadonlyMap<number, Buffer>
  readonly httpRequestRules: readonly HttpRule[]
  readonly httpResponseRules: readonly HttpRule[]
  /** option http-buffer-request */
  readonly httpBufferRequest: boolean
  /** option httplog clf etc. kept in logFormat; option contstats/others accepted */
  readonly where: Where
  /** `stats enable|uri|realm|auth|refresh|hide-version|admin`; null = no stats page (added by config/) */
  readonly statsPage?: StatsPagePlan | null
  /** `tcp-request inspect-delay|connection|session|content` (added by rules/); absent = no rules */
  readonly tcpRequest?: TcpRequestPlan
}

export interface TcpRequestPlan {
  /** ms to wait for request contents before content rules decide (0 = decide at once) */
  readonly inspectDelay: number
  readonly connection: readonly TcpRule[]
  readonly session: readonly TcpRule[]
  readonly content: readonly TcpRule[]
}

/** The HTML/CSV stats page a proxy serves on <uri> (served by runtime/). */
export interface StatsPagePlan {
  /** default "/haproxy?stats" */
  readonly uri: string
  /** basic-auth realm, default "HAProxy Statistics" */
  readonly realm: string
  /** `stats auth user:password` lines; empty = no authentication */
  readonly auth: readonly { readonly user: string; readonly password: string }[]
  /** auto-refresh period in ms, 0 = none */
  readonly refresh: number
  readonly hideVersion: boolean
  /** `stats show-legends`: proxy and server details in the HTML page */
  readonly showLegends?: boolean
  /** `stats scope` lines: the only proxies the page shows and acts on; absent = all */
  readonly scope?: readonly string[]
  /** `stats show-node [<name>]` / `stats show-desc [<text>]`: "" = the global node / description */
  readonly showNode?: string
  readonly showDesc?: string
  /** `stats admin if <cond>`: null = never admin */
  readonly admin: Predicate | null
}

export interface FrontendPlan extends ProxyCommon {
  readonly isListen: boolean
  readonly binds: readonly BindPlan[]
  /** frontend maxconn (default: global maxconn... HAProxy defaults to 2000/`maxconn` in defaults) */
  readonly maxconn: number
  readonly backlog: number
  readonly captures: readonly CapturePlan[]
  readonly responseCaptures: readonly CapturePlan[]
  /** absent = no cookie captured */
  readonly captureCookie?: CaptureCookiePlan | null
  readonly switchRules: readonly SwitchRule[]
  /** name of default_backend (for listen: its own name), or null */
  readonly defaultBackend: string | null
  readonly tcpRequestRules: readonly HttpRule[]
  readonly monitorUri: string | null
  /** `monitor fail` conditions: any true makes the monitor-uri answer 503 */
  readonly monitorFail: readonly Predicate[]
  readonly disabled: boolean
}

export interface BalancePlan {
  readonly algo: AlgoName
  /** uri: `whole` includes the query string */
  readonly uriWhole: boolean
  /** uri: `path-only` hashes the path without authority */
  readonly uriPathOnly: boolean
  /** uri: len <n>, depth <n> (0 = unlimited) */
  readonly uriLen: number
  readonly uriDepth: number
  /** url_param: parameter name; check_post ignored */
  readonly param: string
  /** hdr(<name>): lower-cased header name */
  readonly hdrName: string
  /** hdr(host) use_domain_only */
  readonly hdrDomainOnly: boolean
  /** random(<draws>) */
  readonly draws: number
}

export interface HashTypePlan {
  readonly method: 'map-based' | 'consistent'
  readonly fn: 'sdbm' | 'djb2' | 'wt6' | 'crc32' | 'none'
  readonly avalanche: boolean
}

export interface CookiePlan {
  readonly name: string
  readonly mode: 'insert' | 'rewrite' | 'prefix' | 'passive'
  readonly indirect: boolean
  readonly nocache: boolean
  readonly postonly: boolean
  readonly preserve: boolean
  readonly httponly: boolean
  readonly secure: boolean
  readonly domain: readonly string[]
  /** `attr <value>` words, appended to an inserted Set-Cookie after its flags */
  readonly attrs: readonly string[]
  readonly maxidle: number
  readonly maxlife: number
  readonly dynamic: boolean
}

export interface SourcePlan {
  readonly addr: string
  /** port range for the connection's source port; 0/0 = kernel chooses */
  readonly portLow: number
  readonly portHigh: number
}

export interface ServerPlan {
  readonly name: string
  /** 1-based, declaration order (or `id` keyword) */
  readonly id: number
  /** address as written after resolution ("127.0.0.1", "::1"); "" for unix */
  readonly host: string
  /** 0 = same port as the client connected to (HAProxy: no port) */
  readonly port: number
  readonly unixPath: string
  readonly weight: number
  readonly maxconn: number
  readonly maxqueue: number
  readonly minconn: number
  readonly backup: boolean
  readonly disabled: boolean
  readonly cookie: string | null
  readonly source: SourcePlan | null
  readonly check: CheckServerPlan
  /** send-proxy / send-proxy-v2 */
  readonly sendProxy: 0 | 1 | 2
  /** TLS to server (issue 5): raw words */
  readonly ssl: boolean
  readonly sslWords: readonly string[]
  /** `ssl` with its words compiled (src/tls/server-words.ts); absent = plain TCP */
  readonly tls?: ServerTlsPlan
  /** `check-ssl`: TLS settings of health checks (the server's, with `check-sni`/`check-alpn`), absent = plain */
  readonly checkTls?: ServerTlsPlan
  readonly onMarkedDown: 'none' | 'shutdown-sessions'
  readonly onMarkedUp: 'none' | 'shutdown-backup-sessions'
  readonly slowstart: number
  readonly where: Where
}

/** Server-level health-check settings (default-server merged in). */
export interface CheckServerPlan {
  readonly enabled: boolean
  readonly inter: number
  readonly fastinter: number
  readonly downinter: number
  readonly rise: number
  readonly fall: number
  /** check port/addr overrides, 0/"" = the server's */
  readonly port: number
  readonly addr: string
  readonly agent: { readonly port: number; readonly inter: number; readonly send: string } | null
  readonly checkSsl: boolean
}

/** One step of a tcp-check / http-check sequence, kept close to the config words. */
export type CheckStep =
  | { readonly t: 'connect'; readonly port: number; readonly ssl: boolean }
  | { readonly t: 'send'; readonly data: Buffer }
  | { readonly t: 'send-lf'; readonly template: Template }
  | { readonly t: 'expect'; readonly negate: boolean;
      readonly what: 'string' | 'rstring' | 'binary' | 'rbinary' | 'status' | 'rstatus' | 'hdr' | 'fhdr';
      readonly pattern: string; readonly min: boolean; readonly comment: string | null }
  | { readonly t: 'http-send'; readonly method: string; readonly uri: string; readonly version: string;
      readonly headers: readonly [string, string][]; readonly body: string }
  | { readonly t: 'comment'; readonly text: string }

export interface CheckPlan {
  /** tcp = connect only; http = option httpchk/http-check; tcp-check = option tcp-check; redis/mysql/ssl-hello/... */
  readonly kind: 'tcp' | 'http' | 'tcp-check' | 'redis' | 'mysql' | 'ssl-hello' | 'smtp' | 'pgsql' | 'ldap'
  /** http: request line + raw extra header text from `option httpchk` (old form) */
  readonly httpMethod: string
  readonly httpUri: string
  readonly httpVersion: string
  /** raw header bytes from the old "GET / HTTP/1.1\r\nHost: x" trick, already unescaped */
  readonly httpExtra: string
  readonly steps: readonly CheckStep[]
  readonly logHealthChecks: boolean
  /** what a built-in check sends: the SMTP greeting ("HELO localhost"), the PostgreSQL user; "" = none */
  readonly protocolArg?: string
}

export interface BackendPlan extends ProxyCommon {
  readonly isListen: boolean
  readonly balance: BalancePlan
  readonly hashType: HashTypePlan
  readonly servers: readonly ServerPlan[]
  readonly retries: number
  readonly redispatch: boolean
  /** redispatch interval (option redispatch <n>), 1 = every retry */
  readonly redispatchEvery: number
  readonly httpReuse: 'never' | 'safe' | 'aggressive' | 'always'
  readonly cookie: CookiePlan | null
  readonly check: CheckPlan
  readonly fullconn: number
  /** backend-level maxconn for queueing purposes, 0 = none */
  readonly maxconn: number
  readonly abortonclose: boolean
  readonly persist: boolean
  readonly allbackups: boolean
  readonly disabled: boolean
  readonly useServerRules: readonly { readonly server: string; readonly cond: Predicate | null; readonly where: Where }[]
  /** `stick match|on|store-request|store-response` in declaration order (added by rules/) */
  readonly stickRules?: readonly StickRulePlan[]
  /** `force-persist|ignore-persist if|unless <cond>`, first match wins (added by rules/) */
  readonly persistRules?: readonly PersistRulePlan[]
  /** `tcp-response inspect-delay|content` (added by rules/); absent = no rules */
  readonly tcpResponse?: TcpResponsePlan
}

export interface TcpResponsePlan {
  /** ms to wait for the server's first data before the rules decide (0 = decide on the first data) */
  readonly inspectDelay: number
  readonly content: readonly TcpRule[]
}

export interface PersistRulePlan {
  /** true: force-persist (a down server still takes its cookie's requests); false: ignore-persist */
  readonly force: boolean
  readonly cond: Predicate
}

/** One `stick` rule: <match> looks the key up to find the server; <store>
 *  records the server chosen for the key (request or response side). */
export interface StickRulePlan {
  readonly match: boolean
  readonly store: 'none' | 'request' | 'response'
  readonly key: SampleExpr
  readonly table: StickTable
  readonly cond: Predicate | null
  readonly where: Where
}
