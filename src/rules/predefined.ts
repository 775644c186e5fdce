import type { Predicate } from './types.ts'
import type { CompileCtx } from './sample.ts'
import { compileAclWords } from './acl.ts'

/** HAProxy's predefined ACLs (acl.c default_acl_list), as ACL words. The
 *  request body is not buffered here, so REQ_CONTENT looks at the head. */
const PREDEFINED: Readonly<Record<string, readonly string[]>> = {
  TRUE: ['always_true'],
  FALSE: ['always_false'],
  LOCALHOST: ['src', '127.0.0.1/8', '::1'],
  HTTP: ['req.ver', '-m', 'found'],
  'HTTP_1.0': ['req.ver', '1.0'],
  'HTTP_1.1': ['req.ver', '1.1'],
  HTTP_CONTENT: ['hdr_val(content-length)', 'gt', '0'],
  REQ_CONTENT: ['hdr_val(content-length)', 'gt', '0'],
  HTTP_URL_ABS: ['url_reg', '^[^/:]*://'],
  HTTP_URL_SLASH: ['url_beg', '/'],
  HTTP_URL_STAR: ['url', '*'],
  METH_CONNECT: ['method', 'CONNECT'],
  METH_DELETE: ['method', 'DELETE'],
  METH_GET: ['method', 'GET', 'HEAD'],
  METH_HEAD: ['method', 'HEAD'],
  METH_OPTIONS: ['method', 'OPTIONS'],
  METH_POST: ['method', 'POST'],
  METH_PUT: ['method', 'PUT'],
  METH_TRACE: ['method', 'TRACE'],
  WAIT_END: ['always_true']
}

const cache = new Map<string, Predicate>()

/** The predefined ACL <name>, or undefined. Compiled once per process. */
export function predefinedAcl (name: string, cc: CompileCtx): Predicate | undefined {
  const words = PREDEFINED[name]
  if (words === undefined) return undefined
  let p = cache.get(name)
  if (p === undefined) cache.set(name, p = compileAclWords(words, cc, 0))
  return p
}
