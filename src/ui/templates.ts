/** Service templates, one per seed scenario: a short form becomes config
 *  sections, each line with the reason it is there (the UI shows them side by
 *  side to teach). The result is merged into the running config through the
 *  same validate/apply path as the editor. */

export interface TemplateField {
  readonly name: string
  readonly label: string
  readonly default: string
  /** "list": comma-separated host:port values */
  readonly kind: 'text' | 'port' | 'list'
}

export interface TemplateLine { readonly text: string; readonly reason: string }

export interface ServiceTemplate {
  readonly id: string
  readonly title: string
  readonly summary: string
  readonly fields: readonly TemplateField[]
  render (v: Readonly<Record<string, string>>): TemplateLine[]
}

const L = (text: string, reason = ''): TemplateLine => ({ text, reason })
const list = (s: string): string[] => s.split(',').map(x => x.trim()).filter(x => x !== '')
const name = (s: string): string => s.replace(/[^A-Za-z0-9_.-]/g, '_')
const servers = (v: string, prefix: string, opts: string, reason: string): TemplateLine[] =>
  list(v).map((addr, i) => L(`  server ${prefix}${i + 1} ${addr}${opts}`, i === 0 ? reason : ''))

const f = (n: string, label: string, def: string, kind: TemplateField['kind'] = 'text'): TemplateField => ({ name: n, label, default: def, kind })

export const TEMPLATES: readonly ServiceTemplate[] = [
  {
    id: 'http-farm',
    title: 'HTTP farm with health checks',
    summary: 'Round-robin over web servers; a server that fails its check leaves the farm until it passes again.',
    fields: [f('name', 'Service name', 'web'), f('bind', 'Listen on', '127.0.0.1:8090', 'port'), f('servers', 'Servers', '127.0.0.1:8081,127.0.0.1:8082', 'list'), f('check', 'Health check URL', '/')],
    render: v => [
      L(`frontend ${name(v.name)}_front`, 'where clients arrive'),
      L('  mode http', 'HTTP mode: rules and logs see requests'),
      L(`  bind ${v.bind}`, 'address and port clients connect to'),
      L('  option httplog', 'one log line per request with timers and termination state'),
      L(`  default_backend ${name(v.name)}_farm`, 'every request goes to the farm'),
      L(`backend ${name(v.name)}_farm`, ''),
      L('  mode http', ''),
      L('  balance roundrobin', 'each server in turn, by weight'),
      L(`  option httpchk GET ${v.check}`, 'a server is healthy when this URL answers 2xx/3xx'),
      L('  option forwardfor', 'servers learn the client address from X-Forwarded-For'),
      L('  timeout connect 5s', ''),
      L('  timeout server 30s', ''),
      L('  timeout client 30s', ''),
      ...servers(v.servers, 's', ' check inter 2s rise 2 fall 3', 'check every 2 s; 3 failures take it out, 2 successes bring it back')
    ]
  },
  {
    id: 'websocket',
    title: 'WebSocket application with tunnel timeouts',
    summary: 'Upgraded connections become tunnels kept open by `timeout tunnel`, while normal requests keep short timeouts (seed 000: the slow site after hours of idle websockets).',
    fields: [f('name', 'Service name', 'ws'), f('bind', 'Listen on', '127.0.0.1:8091', 'port'), f('servers', 'Servers', '127.0.0.1:8081,127.0.0.1:8082', 'list'), f('tunnel', 'Tunnel idle timeout', '1h')],
    render: v => [
      L(`frontend ${name(v.name)}_front`, ''),
      L('  mode http', ''),
      L(`  bind ${v.bind}`, ''),
      L('  timeout client 30s', 'short for plain HTTP: an idle browser does not hold a slot for a day'),
      L(`  default_backend ${name(v.name)}_app`, ''),
      L(`backend ${name(v.name)}_app`, ''),
      L('  mode http', ''),
      L('  balance leastconn', 'websockets are long: send new ones where fewest are open'),
      L('  timeout connect 5s', ''),
      L('  timeout server 30s', ''),
      L(`  timeout tunnel ${v.tunnel}`, 'after the 101 upgrade only this timeout applies to the tunnel'),
      L('  option http-server-close', 'plain requests do not keep server connections open'),
      ...servers(v.servers, 'app', ' check', 'TCP connect check')
    ]
  },
  {
    id: 'cache-farm',
    title: 'Cache farm with URI hashing',
    summary: 'The same URI always reaches the same cache; consistent hashing moves only 1/N of the URIs when a cache leaves.',
    fields: [f('name', 'Service name', 'cache'), f('bind', 'Listen on', '127.0.0.1:8092', 'port'), f('servers', 'Caches', '127.0.0.1:8081,127.0.0.1:8082', 'list')],
    render: v => [
      L(`frontend ${name(v.name)}_front`, ''),
      L('  mode http', ''),
      L(`  bind ${v.bind}`, ''),
      L('  timeout client 30s', ''),
      L(`  default_backend ${name(v.name)}_farm`, ''),
      L(`backend ${name(v.name)}_farm`, ''),
      L('  mode http', ''),
      L('  balance uri', 'the URI picks the server: each object is cached once'),
      L('  hash-type consistent', 'a cache going down moves only its own share of URIs'),
      L('  timeout connect 5s', ''),
      L('  timeout server 30s', ''),
      ...servers(v.servers, 'cache', ' check', '')
    ]
  },
  {
    id: 'host-map',
    title: 'Many hosts to backends with a map',
    summary: 'One rule and a map file instead of one ACL per host: `use_backend %[req.hdr(host),lower,map_dom(...)]`.',
    fields: [f('name', 'Service name', 'vhosts'), f('bind', 'Listen on', '127.0.0.1:8093', 'port'), f('mapfile', 'Map file (host backend)', '/etc/pocketlb/hosts.map'), f('servers', 'Default servers', '127.0.0.1:8081', 'list')],
    render: v => [
      L(`frontend ${name(v.name)}_front`, ''),
      L('  mode http', ''),
      L(`  bind ${v.bind}`, ''),
      L('  timeout client 30s', ''),
      L(`  use_backend %[req.hdr(host),lower,map_dom(${v.mapfile},${name(v.name)}_default)]`, 'the Host header, lower-cased, looked up in the map (domain match); unknown hosts get the default'),
      L(`  default_backend ${name(v.name)}_default`, 'a map answer naming no backend falls through to here'),
      L(`backend ${name(v.name)}_default`, ''),
      L('  mode http', ''),
      L('  timeout connect 5s', ''),
      L('  timeout server 30s', ''),
      ...servers(v.servers, 'web', ' check', 'add backends named in the map beside this one')
    ]
  },
  {
    id: 'redis-master',
    title: 'Redis master detection with tcp-check',
    summary: 'Only the server answering role:master receives traffic; after a failover the new master is found by the check.',
    fields: [f('name', 'Service name', 'redis'), f('bind', 'Listen on', '127.0.0.1:6390', 'port'), f('servers', 'Redis servers', '127.0.0.1:6379,127.0.0.1:6380', 'list')],
    render: v => [
      L(`frontend ${name(v.name)}_front`, ''),
      L('  mode tcp', 'Redis speaks its own protocol: balance connections'),
      L(`  bind ${v.bind}`, ''),
      L('  timeout client 1h', 'clients keep long-lived connections'),
      L(`  default_backend ${name(v.name)}_master`, ''),
      L(`backend ${name(v.name)}_master`, ''),
      L('  mode tcp', ''),
      L('  option tcp-check', 'a scripted check instead of a bare connect'),
      L('  tcp-check send PING\\r\\n', ''),
      L('  tcp-check expect string +PONG', 'the server is alive'),
      L('  tcp-check send info\\ replication\\r\\n', ''),
      L('  tcp-check expect string role:master', 'and it is the master: replicas fail this step'),
      L('  tcp-check send QUIT\\r\\n', ''),
      L('  tcp-check expect string +OK', ''),
      L('  timeout connect 3s', ''),
      L('  timeout server 1h', ''),
      ...servers(v.servers, 'redis', ' check inter 1s', 'checked every second: a failover is followed within ~3 s')
    ]
  },
  {
    id: 'mysql-read',
    title: 'MySQL read farm with source port spreading',
    summary: 'Many short connections to few servers: each server gets its own source port range so the proxy never runs out of ports.',
    fields: [f('name', 'Service name', 'mysql'), f('bind', 'Listen on', '127.0.0.1:3307', 'port'), f('servers', 'Read replicas', '127.0.0.1:3306', 'list')],
    render: v => [
      L(`frontend ${name(v.name)}_front`, ''),
      L('  mode tcp', ''),
      L(`  bind ${v.bind}`, ''),
      L('  timeout client 1m', ''),
      L(`  default_backend ${name(v.name)}_read`, ''),
      L(`backend ${name(v.name)}_read`, ''),
      L('  mode tcp', ''),
      L('  balance leastconn', 'queries vary in length: fewest open connections wins'),
      L('  timeout connect 3s', ''),
      L('  timeout server 1m', ''),
      ...list(v.servers).map((addr, i) => L(`  server db${i + 1} ${addr} check source 127.0.0.1:${10000 + i * 5000}-${14999 + i * 5000}`,
        i === 0 ? 'a source port range per server: 5000 ports each, no shared exhaustion' : ''))
    ]
  }
]

/** Fills <values> over the template's defaults and renders it. */
export function renderTemplate (t: ServiceTemplate, values: Readonly<Record<string, string>>): { text: string; lines: TemplateLine[] } {
  const v: Record<string, string> = {}
  for (const field of t.fields) v[field.name] = (values[field.name] ?? '').trim() || field.default
  const lines = t.render(v)
  return { text: lines.map(l => l.text).join('\n') + '\n', lines }
}

/** <current> with <snippet> appended as its own block. */
export function mergeConfig (current: string, snippet: string): string {
  return current.replace(/\s*$/, '\n\n') + snippet
}
