import type { Predicate } from './types.ts'
import { RulesError } from './types.ts'
import type { CompileCtx } from './sample.ts'
import { compileAclWords, predicateUse, withUse } from './acl.ts'
import { predefinedAcl } from './predefined.ts'
import { phaseText } from './expr.ts'

/** Conditions (HAProxy acl_cond): terms joined by implicit AND, groups
 *  separated by `or`/`||`, `!` negating the next term, anonymous ACLs in
 *  `{ ... }`. <acls> are the named ACLs of the section. */
export interface CondCtx extends CompileCtx {
  readonly acls: ReadonlyMap<string, Predicate>
  readonly phase: number
}

function and (terms: Predicate[]): Predicate {
  if (terms.length === 1) return terms[0]
  if (terms.length === 2) { const [a, b] = terms; return s => a(s) && b(s) }
  return s => { for (let i = 0; i < terms.length; i++) if (!terms[i](s)) return false; return true }
}

export function anyOf (groups: Predicate[]): Predicate {
  if (groups.length === 1) return groups[0]
  if (groups.length === 2) { const [a, b] = groups; return s => a(s) || b(s) }
  return s => { for (let i = 0; i < groups.length; i++) if (groups[i](s)) return true; return false }
}

function namedAcl (name: string, cc: CondCtx): Predicate {
  const p = cc.acls.get(name) ?? predefinedAcl(name, cc)
  if (p === undefined) throw new RulesError(`no such ACL : '${name}'`)
  if ((predicateUse(p) & cc.phase) === 0) {
    throw new RulesError(`acl '${name}' will never match because it only involves keywords that are incompatible with ${phaseText(cc.phase)}`)
  }
  return p
}

export function compileConditionWords (words: readonly string[], cc: CondCtx): Predicate {
  if (words.length === 0) throw new RulesError('missing condition')
  const groups: Predicate[] = []
  let terms: Predicate[] = []
  let negate = false
  for (let i = 0; i < words.length; i++) {
    let w = words[i]
    if (w === 'or' || w === '||') {
      if (terms.length === 0 || negate) throw new RulesError(`missing ACL before '${w}'`)
      groups.push(and(terms)); terms = []
      continue
    }
    if (w === '!') { negate = !negate; continue }
    while (w.startsWith('!')) { negate = !negate; w = w.slice(1) }
    let term: Predicate
    if (w === '{') {
      const close = words.indexOf('}', i + 1)
      if (close < 0) throw new RulesError("missing closing '}' in condition")
      term = compileAclWords(words.slice(i + 1, close), cc, cc.phase)
      i = close
    } else if (w === '}') throw new RulesError("unexpected '}' in condition")
    else term = namedAcl(w, cc)
    if (negate) { const t = term; term = withUse(s => !t(s), predicateUse(t)); negate = false }
    terms.push(term)
  }
  if (terms.length === 0 || negate) throw new RulesError(`missing ACL after '${words[words.length - 1]}'`)
  groups.push(and(terms))
  return anyOf(groups)
}
