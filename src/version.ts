/** Version and feature list shown by `pocketlb -vv` and tested by `.if feature(...)`. */
export const VERSION = '0.1.0'
/** HAProxy version whose configuration language and behaviour we follow */
export const HAPROXY_COMPAT = '2.6.0'
export const FEATURES = ['LINUX', 'TPROXY', 'GETADDRINFO', 'REGPARM', 'CPU_AFFINITY', 'NODEJS', 'VRRP'] as const

export function versionText (full: boolean): string {
  let s = `pocketlb version ${VERSION} (HAProxy ${HAPROXY_COMPAT} configuration language) - Node ${process.versions.node}\n`
  if (full) {
    s += `Feature list : ${FEATURES.map(f => '+' + f).join(' ')}\n`
    s += 'Available polling systems :\n   libuv : pref=300,  test result OK\n'
    s += 'Available multiplexer protocols :\n              h1 : mode=HTTP  side=FE|BE\n            none : mode=TCP   side=FE|BE\n'
  }
  return s
}
