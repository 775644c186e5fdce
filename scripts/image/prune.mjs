#!/usr/bin/env node
// prune.mjs <rootfs> <program>...: keeps in <rootfs> only the ELF programs named (paths inside
// the rootfs; *.node addons under usr/lib/pocketlb are always kept) and the shared libraries
// they load, transitively. Every other ELF program and library is removed: Debian packages
// pull in tools and libraries (tc, ss, krb5, libdb, OpenSSL...) that nothing on the device runs.
// Libraries glibc opens by name at run time (NSS, libgcc_s for unwinding) are kept too.
// Prints what it removed, in bytes.
import { execFileSync } from 'node:child_process'
import { readdirSync, lstatSync, readlinkSync, rmSync, openSync, readSync, closeSync } from 'node:fs'
import { join, dirname } from 'node:path'

const [root, ...programs] = process.argv.slice(2)
const LIB_DIRS = ['lib/aarch64-linux-gnu', 'usr/lib/aarch64-linux-gnu', 'lib', 'usr/lib']
const PROGRAM_DIRS = ['bin', 'sbin', 'usr/bin', 'usr/sbin']
const OPENED_BY_NAME = ['ld-linux-aarch64.so.1', 'libnss_files.so.2', 'libnss_dns.so.2', 'libresolv.so.2', 'libgcc_s.so.1']

/** An ELF program or shared library (not a kernel module: those are relocatable objects). */
function isElfProgramOrLibrary (path) {
  const fd = openSync(path, 'r')
  try {
    const head = Buffer.alloc(18)
    if (readSync(fd, head, 0, 18, 0) !== 18 || head.toString('latin1', 0, 4) !== '\x7fELF') return false
    const type = head.readUInt16LE(16)
    return type === 2 || type === 3   // ET_EXEC, ET_DYN
  } finally { closeSync(fd) }
}

/** Path inside the rootfs a link inside the rootfs points at (absolute links are rootfs-relative). */
function linkTarget (rel) {
  const to = readlinkSync(join(root, rel))
  return to.startsWith('/') ? to.slice(1) : join(dirname(rel), to)
}

/** Follows links (each link kept too) to the regular file, or null when dangling. */
function resolve (rel, keep) {
  for (let hops = 0; hops < 16; hops++) {
    let st
    try { st = lstatSync(join(root, rel)) } catch { return null }
    keep.add(rel)
    if (!st.isSymbolicLink()) return rel
    rel = linkTarget(rel)
  }
  return null
}

function findLibrary (soname) {
  for (const dir of LIB_DIRS) {
    try { lstatSync(join(root, dir, soname)); return join(dir, soname) } catch {}
  }
  return null
}

function needed (rel) {
  const out = execFileSync('aarch64-linux-gnu-readelf', ['-d', join(root, rel)], { encoding: 'utf8' })
  return [...out.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map(m => m[1])
}

function walk (dir, visit) {
  let entries
  try { entries = readdirSync(join(root, dir), { withFileTypes: true }) } catch { return }
  for (const e of entries) {
    const rel = join(dir, e.name)
    if (e.isDirectory()) walk(rel, visit)
    else visit(rel)
  }
}

const keep = new Set()
const queue = [...programs]
walk('usr/lib/pocketlb', rel => { if (rel.endsWith('.node')) queue.push(rel) })
for (const soname of OPENED_BY_NAME) { const lib = findLibrary(soname); if (lib) queue.push(lib) }
const done = new Set()
while (queue.length > 0) {
  const file = resolve(queue.pop(), keep)
  if (file === null || done.has(file)) continue
  done.add(file)
  for (const soname of needed(file)) {
    const lib = findLibrary(soname)
    if (lib === null) throw new Error(`${file} needs ${soname}, which is not in the rootfs`)
    queue.push(lib)
  }
}

let removed = 0
/** Removes an ELF file nothing kept loads, and links that lead to one (or nowhere). */
function removeUnkept (rel) {
  if (keep.has(rel)) return
  const path = join(root, rel)
  const st = lstatSync(path)
  const target = st.isSymbolicLink() ? resolve(rel, new Set()) : rel
  if (target !== null && (keep.has(target) || !lstatSync(join(root, target)).isFile() || !isElfProgramOrLibrary(join(root, target)))) return
  if (!st.isSymbolicLink()) removed += st.size
  rmSync(path)
}
for (const dir of ['lib', 'usr/lib', ...PROGRAM_DIRS]) walk(dir, rel => { if (!rel.startsWith('usr/lib/pocketlb/')) removeUnkept(rel) })
for (const dir of ['usr/lib/aarch64-linux-gnu/ossl-modules', 'usr/lib/aarch64-linux-gnu/engines-3', 'usr/lib/aarch64-linux-gnu/krb5', 'usr/lib/aarch64-linux-gnu/tc']) {
  rmSync(join(root, dir), { recursive: true, force: true })
}
console.log(`pruned ${(removed / 1048576).toFixed(1)} MiB of programs and libraries nothing kept loads; kept ${done.size} ELF files`)
