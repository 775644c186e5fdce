import type { Socket } from 'node:net'
import type { ServerRuntime } from './server-runtime.ts'

/** Idle server connections kept for http-reuse. A parked socket is watched:
 *  any data or close from the server removes it (HAProxy never reuses a
 *  connection the server spoke on unasked). Idle ones are closed after
 *  IDLE_MS, like HAProxy's pool-purge-delay (5s). */
const IDLE_MS = 5000
/** per server, bounded so a burst cannot pin file descriptors forever */
const MAX_IDLE = 64

interface Parked extends Socket { plbOwner?: ServerRuntime }

function onIdleEvent (this: Parked): void {
  const srv = this.plbOwner
  if (srv !== undefined) {
    const i = srv.idle.indexOf(this)
    if (i >= 0) srv.idle.splice(i, 1)
  }
  this.destroy()
}

export function parkIdle (srv: ServerRuntime, s: Socket): void {
  if (srv.idle.length >= MAX_IDLE || s.destroyed) { s.destroy(); return }
  const p = s as Parked
  p.plbOwner = srv
  p.on('data', onIdleEvent)
  p.on('close', onIdleEvent)
  p.on('timeout', onIdleEvent)
  p.on('error', onIdleEvent)
  p.setTimeout(IDLE_MS)
  srv.idle.push(p)
}

/** The most recently parked connection of <srv> (warmest), or null. */
export function takeIdle (srv: ServerRuntime): Socket | null {
  const p = srv.idle.pop() as Parked | undefined
  if (p === undefined) return null
  p.removeListener('data', onIdleEvent)
  p.removeListener('close', onIdleEvent)
  p.removeListener('timeout', onIdleEvent)
  p.removeListener('error', onIdleEvent)
  p.setTimeout(0)
  p.plbOwner = undefined
  return p
}
