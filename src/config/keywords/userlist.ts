import type { Userlist } from '../../rules/auth/userlist.ts'
import { cryptSupported } from '../../rules/auth/crypt.ts'
import { alert, warn, type KwCtx } from './types.ts'

/** Lines of a `userlist <name>` section (HAProxy cfgparse.c):
 *    group <name> [users <user>[,<user>...]]
 *    user <name> password <crypt hash> | insecure-password <password> [groups <group>[,<group>...]]  */

const commaList = (w: string | undefined): string[] => w === undefined ? [] : w.split(',').filter(x => x !== '')

export function parseUserlistLine (list: Userlist, c: KwCtx): void {
  const [kw, name] = c.words
  if (kw === 'group') {
    if (name === undefined) { alert(c, "'group' expects <name> as argument."); return }
    const rest = c.words.slice(2)
    if (rest.length > 0 && (rest[0] !== 'users' || rest.length !== 2)) { alert(c, "'group' only supports 'users' option."); return }
    if (!list.addGroup(name, commaList(rest[1]))) warn(c, `ignoring duplicated group '${name}' in userlist '${list.name}'.`)
    return
  }
  if (kw === 'user') {
    if (name === undefined) { alert(c, "'user' expects <name> as argument."); return }
    let password: string | null = null
    let hashed = false
    let groups: string[] = []
    for (let i = 2; i < c.words.length; i += 2) {
      const w = c.words[i]
      const v = c.words[i + 1]
      if (w === 'password' || w === 'insecure-password') { password = v ?? ''; hashed = w === 'password' } else if (w === 'groups') groups = commaList(v)
      else { alert(c, `'user' only supports 'password', 'insecure-password' and 'groups' options.`); return }
    }
    if (!list.addUser(name, password ?? '', hashed, groups)) { warn(c, `ignoring duplicated user '${name}' in userlist '${list.name}'.`); return }
    if (hashed && password !== null && password !== '' && !cryptSupported(password)) {
      warn(c, `user '${name}' of userlist '${list.name}': pocketlb only verifies MD5 ($1$), SHA-256 ($5$) and SHA-512 ($6$) crypt hashes; this user can never authenticate.`)
    }
    return
  }
  alert(c, `unknown keyword '${kw}' in 'users' section`)
}
