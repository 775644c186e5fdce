/** HAProxy-style console messages on stderr:
 *  `[NOTICE]   (pid) : text`, `[WARNING]  (pid) : text`, `[ALERT]    (pid) : text`.
 *  Synchronous on purpose: used at start, stop and reload, never per request. */
function line (tag: string, msg: string): void {
  process.stderr.write(`${tag} (${process.pid}) : ${msg}\n`)
}

export function consoleAlert (msg: string): void { line('[ALERT]   ', msg) }
export function consoleWarning (msg: string): void { line('[WARNING] ', msg) }
export function consoleNotice (msg: string): void { line('[NOTICE]  ', msg) }
