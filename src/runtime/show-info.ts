import { hostname } from 'node:os'
import type { Engine } from '../proxy/engine.ts'
import { VERSION } from '../version.ts'

function uptimeText (sec: number): string {
  const d = Math.floor(sec / 86400)
  const h = Math.floor(sec / 3600) % 24
  const m = Math.floor(sec / 60) % 60
  const s = sec % 60
  return `${d}d ${h}h${String(m).padStart(2, '0')}m${String(s).padStart(2, '0')}s`
}

/** `show info`: HAProxy's `Name: value` lines, in HAProxy 2.6's order, for
 *  the fields that mean something here (rates, SSL and pipes are not tracked). */
export function showInfo (engine: Engine): string {
  const p = engine.process
  const gen = engine.current
  const g = gen.plan.global
  const upSec = Math.floor((Date.now() - p.start) / 1000)
  const mem = process.memoryUsage()
  const mb = (n: number): number => Math.floor(n / 1048576)
  let bytesOut = 0
  for (const fe of gen.frontends) bytesOut += fe.bytesOut
  const listeners = engine.addresses().length
  const maxsock = g.maxconn * 2 + listeners
  const lines: [string, string | number][] = [
    ['Name', 'pocketlb'], ['Version', VERSION], ['Release_date', '-'],
    ['Nbthread', 1], ['Nbproc', 1], ['Process_num', 1], ['Pid', process.pid],
    ['Uptime', uptimeText(upSec)], ['Uptime_sec', upSec],
    ['Memmax_MB', 0], ['PoolAlloc_MB', mb(mem.heapTotal)], ['PoolUsed_MB', mb(mem.heapUsed)], ['PoolFailed', 0],
    ['Ulimit-n', maxsock], ['Maxsock', maxsock], ['Maxconn', g.maxconn], ['Hard_maxconn', g.maxconn],
    ['CurrConns', p.actconn], ['CumConns', p.totalConns], ['CumReq', p.totalReqs],
    ['node', hostname()], ['Stopping', p.stopping ? 1 : 0], ['Jobs', p.actconn + listeners],
    ['Listeners', listeners], ['TotalBytesOut', bytesOut], ['Build info', VERSION],
    ['Memmax_bytes', 0], ['PoolAlloc_bytes', mem.heapTotal], ['PoolUsed_bytes', mem.heapUsed],
    ['Start_time_sec', Math.floor(p.start / 1000)], ['Tainted', 0]
  ]
  return lines.map(([k, v]) => `${k}: ${v}\n`).join('')
}
