/** The embedded configuration `pocketlb --demo` (and `npm start`) runs: one
 *  HTTP frontend balancing two built-in demo backends, logs on stdout. Ports
 *  can be moved with PLB_DEMO_PORT / PLB_DEMO_BACKEND_PORT for a busy PC.
 *  <https>: a second bind offloading TLS with the device's self-signed
 *  certificate (src/tls/self-signed.ts ensureSelfSigned), port PLB_DEMO_HTTPS_PORT. */
export function demoConfig (port: number, backendBase: number, https?: { port: number; pem: string }): string {
  const tls = https === undefined
    ? ''
    : `    bind 127.0.0.1:${https.port} ssl crt ${https.pem} alpn http/1.1
    http-request set-header X-Forwarded-Proto https if { ssl_fc }
`
  return `# pocketlb demo: two demo web servers behind one HTTP frontend
global
    maxconn 1000
    log stdout format raw local0

defaults
    mode http
    log global
    option httplog
    option dontlognull
    option forwardfor
    timeout connect 5s
    timeout client 30s
    timeout server 30s
    timeout http-request 10s

frontend demo
    bind 127.0.0.1:${port}
${tls}    default_backend demo_servers

backend demo_servers
    balance roundrobin
    server web1 127.0.0.1:${backendBase} weight 1
    server web2 127.0.0.1:${backendBase + 1} weight 1
`
}
