/** A VrrpInstancePlan with keepalived's defaults, overridden by <over>. */
import type { VrrpInstancePlan } from '../../../src/vrrp/types.ts'

export function instancePlan (over: Partial<VrrpInstancePlan> = {}): VrrpInstancePlan {
  const where = { file: 'test', line: 1 }
  return {
    name: 'VI_1', initialState: 'BACKUP', interface: 'eth0', vrid: 51, priority: 100, advertInt: 1000,
    version: 3, preempt: true, preemptDelay: 0,
    vips: [{ addr: '10.0.0.100', prefixLen: 24, dev: 'eth0', label: null, where }],
    unicastSrcIp: null, unicastPeers: [], trackInterfaces: [], trackScripts: [], trackPocketlb: [],
    notify: { master: null, backup: null, fault: null, stop: null, any: null },
    garp: { masterDelay: 5000, masterRepeat: 5, masterRefresh: 0, masterRefreshRepeat: 1 },
    where, ...over
  }
}
