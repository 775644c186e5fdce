import type { Engine } from '../proxy/engine.ts'
import type { MapStore } from '../rules/maps.ts'

/** Access levels of a stats socket, ordered: a command runs when the
 *  session's level is at least the command's. */
export const Level = { user: 0, operator: 1, admin: 2 } as const
export type LevelT = typeof Level[keyof typeof Level]

export const LEVEL_NAMES = ['user', 'operator', 'admin'] as const

/** Outcome of a configuration reload; <error> holds the alert lines of a refused one. */
export interface ReloadResult { readonly ok: boolean; readonly error?: string }

/** Reloads the configuration files as SIGHUP does (installed by the CLI). */
export type ReloadHook = () => Promise<ReloadResult>

/** State of one runtime API session (one connection). */
export interface CliSession {
  readonly engine: Engine
  readonly maps: MapStore
  /** absent when the process has no configuration files to reload (tests, embedding) */
  readonly reload?: ReloadHook | null
  level: LevelT
  /** prompt mode: the connection stays open and "> " follows each answer */
  interactive: boolean
  /** set by `quit`: close after this answer */
  quit: boolean
}

/** A command handler: <args> are all words of the command (the matched
 *  keywords included); returns the answer text, without the CLI's final "\n". */
export type CommandHandler = (args: readonly string[], s: CliSession) => string

/** A command that waits for its work (`reload`); only stats sockets run these. */
export type WaitingHandler = (args: readonly string[], s: CliSession) => Promise<string>
