/** Reloading the keepalived configuration (SIGHUP, keepalived's way): the files
 *  are read and checked like `-c` (nftables dry run of the virtual_servers
 *  included), then the kernel services and the VRRP engine move to the new plan.
 *  A refused configuration changes nothing. */
import type { KeepalivedLoad } from '../config/keepalived/compile.ts'
import { checkL4Kernel } from '../l4/kernel-check.ts'
import type { L4Service } from '../l4/service.ts'
import type { VrrpPlan } from './types.ts'

/** <r> with what the kernel's nftables refuses in its virtual_servers as alerts (as `-c` does). */
export async function withKernelCheck (r: KeepalivedLoad): Promise<KeepalivedLoad> {
  if (!r.ok) return r
  const k = await checkL4Kernel(r.plan.virtualServers ?? [])
  const warnings = [...r.warnings, ...k.warnings]
  return k.alerts.length ? { ok: false, alerts: k.alerts, warnings } : { ...r, warnings }
}

/** Moves from <current> to <next>: the virtual_servers first (one nft transaction),
 *  then the VRRP instances through <reloadVrrp>; when the engine refuses, the
 *  services go back to <current>'s, so the reload is all or nothing. */
export async function applyKeepalived (current: VrrpPlan, next: VrrpPlan, l4: Pick<L4Service, 'reload'>, reloadVrrp: (plan: VrrpPlan) => Promise<void>): Promise<void> {
  await l4.reload(next.virtualServers ?? [])
  try {
    await reloadVrrp(next)
  } catch (e) {
    await l4.reload(current.virtualServers ?? []).catch(() => {})
    throw e
  }
}
