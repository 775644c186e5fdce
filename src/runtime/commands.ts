import { Level, LEVEL_NAMES, type CliSession, type CommandHandler, type LevelT, type WaitingHandler } from './cli-context.ts'
import { reloadCommand } from './reload-command.ts'
import { showInfoCommand, showStat, showBackend, showServersState, showSess } from './show-commands.ts'
import { checkSwitch, enableServer, disableServer, getWeight, setWeight, setServer, setMaxconnServer, shutdownSessionsServer } from './server-commands.ts'
import { showErrors } from './error-commands.ts'
import { showMap, addMap, setMap, delMap, clearMap, getMap } from './map-commands.ts'
import { showTable, clearTable, setTable } from './table-commands.ts'
import { showL4 } from './l4-commands.ts'
import { showVrrp, setVrrpSimulateFailure } from './vrrp-commands.ts'

/** One runtime API command: the keywords that select it, the level it needs,
 *  its usage line for `help` (HAProxy's wording), and its handler (<waits>:
 *  one that answers later, which only stats sockets run). */
type Command = {
  readonly words: readonly string[]
  readonly level: LevelT
  readonly usage: string
  readonly help: string
} & ({ readonly waits?: false; readonly run: CommandHandler } | { readonly waits: true; readonly run: WaitingHandler })

const help: CommandHandler = (args) => {
  const wanted = args.slice(1)
  const list = COMMANDS.filter(c => wanted.every((w, i) => c.words[i] === w))
  return 'The following commands are valid at this level:\n' + usageLines(list.length > 0 ? list : COMMANDS)
}

const prompt: CommandHandler = (_args, s) => { s.interactive = !s.interactive; return '' }
const quit: CommandHandler = (_args, s) => { s.quit = true; return '' }
const lowerTo = (level: LevelT): CommandHandler => (_args, s) => { if (s.level > level) s.level = level; return '' }
const showCliLevel: CommandHandler = (_args, s) => LEVEL_NAMES[s.level] + '\n'

/** Every command, in `help` order (HAProxy lists help, prompt and quit last). */
const COMMANDS: readonly Command[] = [
  { words: ['add', 'map'], level: Level.user, usage: 'add map <map> <key> <val>', help: 'add a map entry', run: addMap },
  { words: ['clear', 'map'], level: Level.user, usage: 'clear map <map>', help: 'clear the contents of this map', run: clearMap },
  { words: ['clear', 'table'], level: Level.operator, usage: 'clear table <table> [<filter>]*', help: 'remove an entry from a table (filter: data/key)', run: clearTable },
  { words: ['del', 'map'], level: Level.user, usage: 'del map <map> [<key>|#<ref>]', help: 'delete map entries matching <key>', run: delMap },
  { words: ['disable', 'agent'], level: Level.admin, usage: 'disable agent', help: 'disable agent checks', run: checkSwitch('agent', false) },
  { words: ['disable', 'health'], level: Level.admin, usage: 'disable health', help: 'disable health checks', run: checkSwitch('health', false) },
  { words: ['disable', 'server'], level: Level.admin, usage: 'disable server (DEPRECATED)', help: "disable a server for maintenance (use 'set server' instead)", run: disableServer },
  { words: ['enable', 'agent'], level: Level.admin, usage: 'enable agent', help: 'enable agent checks', run: checkSwitch('agent', true) },
  { words: ['enable', 'health'], level: Level.admin, usage: 'enable health', help: 'enable health checks', run: checkSwitch('health', true) },
  { words: ['enable', 'server'], level: Level.admin, usage: 'enable server  (DEPRECATED)', help: "enable a disabled server (use 'set server' instead)", run: enableServer },
  { words: ['get', 'map'], level: Level.user, usage: 'get map <acl> <value>', help: 'report the keys and values matching a sample for a map', run: getMap },
  { words: ['get', 'weight'], level: Level.user, usage: 'get weight <bk>/<srv>', help: "report a server's current weight", run: getWeight },
  { words: ['operator'], level: Level.user, usage: 'operator', help: 'lower the level of the current CLI session to operator', run: lowerTo(Level.operator) },
  { words: ['reload'], level: Level.admin, usage: 'reload', help: 'reload the configuration files, as SIGHUP does', run: reloadCommand, waits: true },
  { words: ['set', 'map'], level: Level.user, usage: 'set map <map> [<key>|#<ref>] <value>', help: 'modify a map entry', run: setMap },
  { words: ['set', 'maxconn', 'server'], level: Level.admin, usage: 'set maxconn server <bk>/<srv>', help: "change a server's maxconn setting", run: setMaxconnServer },
  { words: ['set', 'server'], level: Level.admin, usage: 'set server <bk>/<srv> [opts]', help: "change a server's state, weight, address or ssl", run: setServer },
  { words: ['set', 'table'], level: Level.operator, usage: 'set table <table> key <k> [data.* <v>]*', help: "update or create a table entry's data", run: setTable },
  { words: ['set', 'vrrp', 'simulate-failure'], level: Level.admin, usage: 'set vrrp simulate-failure on|off', help: 'act as if a tracked check failed (FAULT, mastership given up) for demos; off restores', run: setVrrpSimulateFailure },
  { words: ['set', 'weight'], level: Level.admin, usage: 'set weight <bk>/<srv>  (DEPRECATED)', help: "change a server's weight (use 'set server' instead)", run: setWeight },
  { words: ['show', 'backend'], level: Level.user, usage: 'show backend', help: 'list backends in the current running config', run: showBackend },
  { words: ['show', 'cli', 'level'], level: Level.user, usage: 'show cli level', help: 'display the level of the current CLI session', run: showCliLevel },
  { words: ['show', 'errors'], level: Level.operator, usage: 'show errors [<px>] [request|response]', help: 'report last request and/or response errors for each proxy', run: showErrors },
  { words: ['show', 'info'], level: Level.user, usage: 'show info', help: 'report information about the running process', run: showInfoCommand },
  { words: ['show', 'map'], level: Level.user, usage: 'show map [map]', help: "report available maps or dump a map's contents", run: showMap },
  { words: ['show', 'servers', 'state'], level: Level.user, usage: 'show servers state [<backend>]', help: 'dump volatile server information (all or for a single backend)', run: showServersState },
  { words: ['show', 'sess'], level: Level.operator, usage: 'show sess', help: 'report a summary of current sessions', run: showSess },
  { words: ['show', 'stat'], level: Level.user, usage: 'show stat [desc|json|no-maint|typed|up]*', help: 'report counters for each proxy and server', run: showStat },
  { words: ['show', 'l4'], level: Level.user, usage: 'show l4 [json]', help: 'report the kernel virtual services (virtual_server) and their real servers', run: showL4 },
  { words: ['show', 'vrrp'], level: Level.user, usage: 'show vrrp [json]', help: 'report the state and counters of the VRRP instances', run: showVrrp },
  { words: ['show', 'table'], level: Level.user, usage: 'show table <table> [<filter>]*', help: "report table usage stats or dump this table's contents (filter: data/key)", run: showTable },
  { words: ['shutdown', 'sessions', 'server'], level: Level.admin, usage: 'shutdown sessions server <bk>/<srv>', help: 'kill sessions on a server', run: shutdownSessionsServer },
  { words: ['user'], level: Level.user, usage: 'user', help: 'lower the level of the current CLI session to user', run: lowerTo(Level.user) },
  { words: ['help'], level: Level.user, usage: 'help [<command>]', help: 'list matching or all commands', run: help },
  { words: ['prompt'], level: Level.user, usage: 'prompt', help: 'toggle interactive mode with prompt', run: prompt },
  { words: ['quit'], level: Level.user, usage: 'quit', help: 'disconnect', run: quit }
]

/** The three commands HAProxy appends to every suggestion list. */
const ALWAYS = COMMANDS.slice(-3)

/** `help` lines; HAProxy 2.6 lists every command whatever the session's level. */
function usageLines (list: readonly Command[]): string {
  return list.map(c => `  ${c.usage.padEnd(40)}: ${c.help}\n`).join('')
}

function findCommand (args: readonly string[]): Command | null {
  let best: Command | null = null
  for (const c of COMMANDS) {
    if (c.words.every((w, i) => args[i] === w) && (best === null || c.words.length > best.words.length)) best = c
  }
  return best
}

/** Commands whose keywords share the most letters pairs with <args> (HAProxy
 *  ranks by word fingerprints; a close approximation is enough for a hint). */
function suggestions (args: readonly string[]): Command[] {
  const pairs = (t: string): Set<string> => { const p = new Set<string>(); for (let i = 0; i + 1 < t.length; i++) p.add(t.slice(i, i + 2)); return p }
  const typed = pairs(args.join(' '))
  const scored = COMMANDS.filter(c => !ALWAYS.includes(c)).map(c => {
    let n = 0
    for (const p of pairs(c.words.join(' '))) if (typed.has(p)) n++
    return { c, n }
  }).filter(x => x.n > 0).sort((a, b) => b.n - a.n).slice(0, 5)
  return scored.map(x => x.c)
}

/** The command <args> name for session <s>, or the answer refusing it. */
function commandFor (args: readonly string[], s: CliSession): Command | string {
  const c = findCommand(args)
  if (c === null) {
    if (args.length === 0) return 'Unknown command. Please enter one of the following commands only:\n' + usageLines(COMMANDS)
    return 'Unknown command, but maybe one of the following ones is a better match:\n' + usageLines([...suggestions(args), ...ALWAYS])
  }
  return s.level < c.level ? 'Permission denied\n' : c
}

/** Runs one command (already split into <args>) for session <s> and returns
 *  its answer, without the CLI's final "\n"; a command that waits (`reload`)
 *  gives a promise of it. */
export function runCommandWaiting (args: readonly string[], s: CliSession): string | Promise<string> {
  const c = commandFor(args, s)
  return typeof c === 'string' ? c : c.run(args, s)
}

/** runCommandWaiting for callers that cannot wait: commands that wait are refused. */
export function runCommand (args: readonly string[], s: CliSession): string {
  const c = commandFor(args, s)
  if (typeof c === 'string') return c
  return c.waits === true ? 'This command is only available on a stats socket.\n' : c.run(args, s)
}

/** Splits one request line into commands (`;` separated) and their words
 *  (blank separated); a backslash makes the next character literal. */
export function splitLine (line: string): string[][] {
  const cmds: string[][] = []
  let words: string[] = []
  let word = ''
  let inWord = false
  const endWord = (): void => { if (inWord) words.push(word); word = ''; inWord = false }
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]
    if (ch === '\\' && i + 1 < line.length) { word += line[++i]; inWord = true } else if (ch === ' ' || ch === '\t') endWord()
    else if (ch === ';') { endWord(); cmds.push(words); words = [] } else { word += ch; inWord = true }
  }
  endWord()
  cmds.push(words)
  return cmds
}
