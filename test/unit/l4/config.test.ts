import { test } from 'node:test'
import assert from 'node:assert/strict'
import { loadKeepalivedText } from '../../../src/config/keepalived/compile.ts'

const SERVICE = `virtual_server_group WEB {
  10.0.0.1 80
  10.0.0.2-3 80
}
virtual_server 10.0.0.1 53 {
  delay_loop 2
  lb_algo sh
  protocol UDP
  real_server 10.0.1.1 5353 {
    MISC_CHECK {
      misc_path "/bin/true --x"
      misc_dynamic
    }
  }
}
virtual_server group WEB {
  delay_loop 3
  lb_algo wrr
  lb_kind NAT
  persistence_timeout 50
  protocol TCP
  sorry_server 10.0.1.9 8080
  retry 2
  real_server 10.0.1.1 8080 {
    weight 3
    inhibit_on_failure
    TCP_CHECK {
      connect_port 8081
      connect_timeout 1.5
    }
  }
  real_server 10.0.1.2 8080 {
    HTTP_GET {
      url {
        path /health
        status_code 200-204 301
        digest 0123456789ABCDEF0123456789abcdef
      }
      nb_get_retry 4
      delay_before_retry 0.5
    }
  }
}
`

test('virtual_server, groups, real servers and checkers compile with keepalived defaults and inheritance', () => {
  const r = loadKeepalivedText(SERVICE)
  assert.ok(r.ok, r.ok ? '' : r.alerts.join('\n'))
  const [udp, web] = r.plan.virtualServers!
  assert.equal(udp!.name, '10.0.0.1:53')
  assert.equal(udp!.key, 'v_10_0_0_1_53_udp')
  assert.equal(udp!.protocol, 'udp')
  assert.equal(udp!.algo, 'sh')
  assert.equal(udp!.persistenceTimeout, 0)
  const misc = udp!.realServers[0]!.checkers[0]!
  assert.deepEqual([misc.kind, misc.miscPath, misc.miscTimeout, misc.miscDynamic, misc.retry, misc.delayLoop], ['misc', '/bin/true --x', 2000, true, 0, 2000])
  assert.equal(web!.name, 'group WEB')
  assert.deepEqual(web!.addresses, [{ addr: '10.0.0.1', port: 80 }, { addr: '10.0.0.2', port: 80 }, { addr: '10.0.0.3', port: 80 }])
  assert.deepEqual([web!.algo, web!.kind, web!.persistenceTimeout, web!.delayLoop], ['wrr', 'NAT', 50_000, 3000])
  assert.deepEqual(web!.sorryServer, { addr: '10.0.1.9', port: 8080 })
  const [a, b] = web!.realServers
  assert.deepEqual([a!.weight, a!.inhibitOnFailure, b!.weight, b!.inhibitOnFailure], [3, true, 1, false])
  const tcp = a!.checkers[0]!
  assert.deepEqual([tcp.kind, tcp.connectPort, tcp.connectTimeout, tcp.retry, tcp.delayBeforeRetry, tcp.delayLoop], ['tcp', 8081, 1500, 2, 1000, 3000])
  const http = b!.checkers[0]!
  assert.deepEqual([http.kind, http.retry, http.delayBeforeRetry, http.connectTimeout], ['http', 4, 500, 5000])
  assert.deepEqual(http.urls, [{ path: '/health', statusCodes: [[200, 204], [301, 301]], digest: '0123456789abcdef0123456789abcdef' }])
})

test('lc, wlc and DR are refused with file:line and the reason; a missing lb_algo warns', () => {
  const r = loadKeepalivedText(`virtual_server 10.0.0.1 80 {
  lb_algo lc
  real_server 10.0.1.1 80 {
  }
}
virtual_server 10.0.0.1 81 {
  lb_algo wlc
  lb_kind TUN
}
virtual_server 10.0.0.1 82 {
  real_server 10.0.1.1 80
}
`, 'ka.conf')
  assert.equal(r.ok, false)
  if (r.ok) return
  assert.match(r.alerts[0]!, /^ka\.conf:2: lb_algo lc refused: least-connection .*nftables cannot read/)
  assert.match(r.alerts[1]!, /^ka\.conf:7: lb_algo wlc refused/)
  assert.match(r.alerts[2]!, /^ka\.conf:8: lb_kind TUN refused/)
  assert.equal(r.alerts.length, 3)
  assert.match(r.warnings.join('\n'), /ka\.conf:10: 10\.0\.0\.1:82: no lb_algo; keepalived's default \(wlc\).*using wrr/)
})

test('bad values and duplicates are alerts with file:line', () => {
  const r = loadKeepalivedText(`virtual_server 10.0.0.1 80 {
  lb_algo rr
  protocol SCTP
  real_server 10.0.1.1 80 {
    uthreshold 10
    SMTP_CHECK {
    }
    HTTP_GET {
      url {
        status_code 200
      }
    }
  }
  real_server 10.0.1.1 80
  real_server 10.0.1.300 80
}
virtual_server 10.0.0.1 80 {
  lb_algo rr
}
virtual_server group NOPE {
}
virtual_server fe80::1 80 {
}
`, 'ka.conf')
  assert.equal(r.ok, false)
  if (r.ok) return
  const lines = r.alerts.map(a => a.split(':').slice(0, 2).join(':'))
  assert.deepEqual(lines, ['ka.conf:3', 'ka.conf:5', 'ka.conf:6', 'ka.conf:9', 'ka.conf:8', 'ka.conf:15', 'ka.conf:20', 'ka.conf:22'])
  assert.match(r.alerts[0]!, /protocol 'SCTP' is not supported/)
  assert.match(r.alerts[3]!, /url requires a path/)
})

test('a VIP:port served twice and a real server listed twice are alerts naming the first place', () => {
  const r = loadKeepalivedText(`virtual_server 10.0.0.1 80 {
  lb_algo rr
}
virtual_server 10.0.0.1 80 {
  lb_algo rr
}
virtual_server 10.0.0.1 80 {
  lb_algo rr
  protocol UDP
  real_server 10.0.1.1 80
  real_server 10.0.1.1 80
}
`, 'ka.conf')
  assert.equal(r.ok, false)
  if (r.ok) return
  assert.deepEqual(r.alerts, [
    'ka.conf:4: 10.0.0.1:80/tcp is already served by virtual_server 10.0.0.1:80 (ka.conf:1)',
    'ka.conf:11: real_server 10.0.1.1:80 listed twice in 10.0.0.1:80 (first at ka.conf:10)'
  ])
})
