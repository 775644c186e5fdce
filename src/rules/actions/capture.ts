import { RulesError } from '../types.ts'
import { sampleText } from '../sample.ts'
import type { CaptureHolder } from '../captures.ts'
import type { ActionParser } from './parse.ts'
import { arg, sampleArg, CONTINUE } from './parse.ts'

/** `http-request capture <sample> len <n> | id <n>` and `http-response
 *  capture <sample> id <n>` (HAProxy http_act.c): the sample's text goes to a
 *  capture slot shown in the log (%hr/%hs). `len` adds a slot to the
 *  frontend; `id` names one declared before (in a backend it is taken from
 *  whatever frontend the stream came through, and ignored if it has none). */
const capture = (response: boolean): ActionParser => (words, i, _paren, cc) => {
  const keyword = `${response ? 'http-response' : 'http-request'} capture`
  const fn = sampleArg(arg(words, i, 'a sample expression', keyword), cc, keyword)
  const how = words[i + 1]
  const n = arg(words, i + 2, `a number after '${how ?? ''}'`, keyword)
  if (!/^\d+$/.test(n)) throw new RulesError(`'${keyword}' : '${how ?? ''}' expects a number, got '${n}'`)
  const slots = cc.captureSlots
  let id: number
  if (how === 'len' && !response) {
    if (slots === undefined || cc.frontend !== true) throw new RulesError(`proxy '${cc.proxy ?? ''}' has no frontend capability`)
    if (Number(n) === 0) throw new RulesError(`'${keyword}' : a length of 0 captures nothing`)
    id = slots.addRequest(Number(n))
  } else if (how === 'id') {
    id = Number(n)
    // a frontend's slot may be declared after the rule: checked at the end when the configuration can tell
    if (cc.frontend === true && cc.proxyRefs !== undefined) cc.proxyRefs.refCapture(cc.proxy ?? '', response, id, keyword)
    else if (cc.frontend === true && slots !== undefined && id >= slots.count(response)) {
      throw new RulesError(`Proxy '${cc.proxy ?? ''}': unable to find capture id '${id}' referenced by ${keyword} rule`)
    }
  } else throw new RulesError(`'${keyword}' expects ${response ? "'id'" : "'len' or 'id'"} after the sample expression`)
  return {
    run: t => {
      const v = fn(t)
      if (v !== undefined) (t as Partial<CaptureHolder>).capture?.(response, id, sampleText(v))
      return CONTINUE
    },
    next: i + 3
  }
}

export const REQUEST_CAPTURE_ACTIONS: Readonly<Record<string, ActionParser>> = { capture: capture(false) }
export const RESPONSE_CAPTURE_ACTIONS: Readonly<Record<string, ActionParser>> = { capture: capture(true) }
