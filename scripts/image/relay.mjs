// relay.mjs <host> <port>: joins stdin/stdout to a TCP connection. QEMU's user-mode network
// runs it per guest connection (guestfwd=...-cmd:) to reach a backend on the host's loopback.
import { connect } from 'node:net'
const socket = connect(Number(process.argv[3]), process.argv[2])
process.stdin.pipe(socket).pipe(process.stdout)
socket.on('error', () => process.exit(1))
socket.on('close', () => process.exit(0))
