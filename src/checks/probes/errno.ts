/** glibc strerror() texts for the errors a check connection meets; HAProxy puts
 *  them in the check's info ("Connection refused"). */
const STRERROR: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'Connection refused',
  ECONNRESET: 'Connection reset by peer',
  ECONNABORTED: 'Software caused connection abort',
  ETIMEDOUT: 'Connection timed out',
  EHOSTUNREACH: 'No route to host',
  ENETUNREACH: 'Network is unreachable',
  EADDRNOTAVAIL: 'Cannot assign requested address',
  EADDRINUSE: 'Address already in use',
  EPIPE: 'Broken pipe',
  EACCES: 'Permission denied',
  EPERM: 'Operation not permitted',
  EMFILE: 'Too many open files',
  ENOBUFS: 'No buffer space available'
}

export function errnoText (code: string): string {
  return STRERROR[code] ?? code
}
