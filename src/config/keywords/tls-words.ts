/** TLS words of `bind` and `server` lines. TLS is handled elsewhere (later):
 *  config/ only recognises them and keeps them raw, with their arguments. */

/** word → number of arguments it takes */
export const BIND_TLS_WORDS: Readonly<Record<string, number>> = {
  crt: 1, 'ca-file': 1, 'crl-file': 1, ciphers: 1, ciphersuites: 1, alpn: 1, npn: 1, curves: 1, ecdhe: 1,
  'ssl-min-ver': 1, 'ssl-max-ver': 1, verify: 1, 'crt-list': 1, 'ca-verify-file': 1, 'crt-ignore-err': 1,
  'ca-ignore-err': 1, 'ca-sign-file': 1, 'ca-sign-pass': 1, 'sigalgs': 1, 'client-sigalgs': 1,
  'no-sslv3': 0, 'no-tlsv10': 0, 'no-tlsv11': 0, 'no-tlsv12': 0, 'no-tlsv13': 0, 'force-sslv3': 0,
  'force-tlsv10': 0, 'force-tlsv11': 0, 'force-tlsv12': 0, 'force-tlsv13': 0, 'strict-sni': 0,
  'prefer-client-ciphers': 0, 'no-tls-tickets': 0, 'allow-0rtt': 0, 'generate-certificates': 0, 'no-ca-names': 0
}

export const SERVER_TLS_WORDS: Readonly<Record<string, number>> = {
  crt: 1, 'ca-file': 1, 'crl-file': 1, ciphers: 1, ciphersuites: 1, alpn: 1, npn: 1, curves: 1, sni: 1,
  'ssl-min-ver': 1, 'ssl-max-ver': 1, verify: 1, verifyhost: 1, 'check-sni': 1, 'check-alpn': 1, sigalgs: 1,
  'client-sigalgs': 1, 'ssl-reuse': 0, 'no-ssl-reuse': 0, 'no-sslv3': 0, 'no-tlsv10': 0, 'no-tlsv11': 0,
  'no-tlsv12': 0, 'no-tlsv13': 0, 'force-sslv3': 0, 'force-tlsv10': 0, 'force-tlsv11': 0, 'force-tlsv12': 0,
  'force-tlsv13': 0, 'no-tls-tickets': 0, 'tls-tickets': 0, 'allow-0rtt': 0, 'send-proxy-v2-ssl': 0,
  'send-proxy-v2-ssl-cn': 0, 'no-ssl': 0
}
