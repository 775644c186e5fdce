import type { StreamView } from '../../core/stream-view.ts'
import { headerValue } from '../../core/http-head.ts'
import type { CompileCtx, FetchDef } from '../sample.ts'
import { Phase, RulesError } from '../types.ts'
import type { Userlist } from '../auth/userlist.ts'

/** http_auth(<userlist>) and http_auth_group(<userlist>) (HAProxy
 *  http_fetch.c): the request's Basic credentials checked against a userlist.
 *  HAProxy refuses them in http-response rules: the credentials are read
 *  while the request is analysed. */
const USE_AUTH = Phase.L4Content | Phase.HttpReq
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/

/** User and password of `Authorization: Basic <base64(user:password)>`, or null. */
export function basicCredentials (s: StreamView): { user: string; password: string } | null {
  const h = s.req === null ? undefined : headerValue(s.req, 'authorization', 1)
  if (h === undefined) return null
  const sp = h.indexOf(' ')
  if (sp < 0 || h.slice(0, sp).toLowerCase() !== 'basic') return null
  const b64 = h.slice(sp + 1).trim()
  // strict, as HAProxy's decoder: whole 4-character groups of the alphabet (Node's would skip junk)
  if (b64.length % 4 !== 0 || !BASE64.test(b64)) return null
  const text = Buffer.from(b64, 'base64').toString('latin1')
  const colon = text.indexOf(':')
  if (colon < 0) return null
  return { user: text.slice(0, colon), password: text.slice(colon + 1) }
}

function userlistArg (name: string, keyword: string, cc: CompileCtx): Userlist {
  if (cc.userlists === undefined) throw new RulesError(`${keyword}: no userlist can be declared here`)
  return cc.userlists.ref(name, `ACL keyword '${keyword}' in proxy '${cc.proxy ?? ''}'`)
}

/** The authenticated user name, or undefined. */
function authenticated (list: Userlist): (s: StreamView) => string | undefined {
  return s => {
    const c = basicCredentials(s)
    return c !== null && list.check(c.user, c.password) ? c.user : undefined
  }
}

export const AUTH_FETCHES: Readonly<Record<string, FetchDef>> = {
  http_auth: {
    args: [{ kind: 'str' }], out: 'bool', use: USE_AUTH,
    compile: (args, cc) => {
      const list = userlistArg(args[0], 'http_auth', cc)
      return s => { const c = basicCredentials(s); return c === null ? undefined : list.check(c.user, c.password) }
    }
  },
  /** as a sample: the user name; in an ACL: whether the user is in one of the pattern groups */
  http_auth_group: {
    args: [{ kind: 'str' }], out: 'str', use: USE_AUTH,
    compile: (args, cc) => authenticated(userlistArg(args[0], 'http_auth_group', cc)),
    aclMatch: (args, groups, cc) => {
      const list = userlistArg(args[0], 'http_auth_group', cc)
      for (const g of groups) cc.userlists?.refGroup(list, g, `proxy ${cc.proxy ?? ''}: acl http_auth_group()`)
      const user = authenticated(list)
      return s => {
        const u = user(s)
        if (u === undefined) return false
        for (const g of groups) if (list.inGroup(u, g)) return true
        return false
      }
    }
  }
}
