import type { Predicate, RulesCtx } from './types.ts'
import type { CompileCtx } from './sample.ts'
import { defaultMapStore } from './maps.ts'

/** What keyword compilers get from config/'s RulesCtx, for the place <phase>. */
export type PlaceCtx = CompileCtx & { readonly acls: ReadonlyMap<string, Predicate>; readonly phase: number }

export function compileCtxOf (ctx: RulesCtx, phase: number): PlaceCtx {
  return { ...ctx, maps: ctx.maps ?? defaultMapStore, phase }
}
