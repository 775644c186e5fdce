import { main } from './cli.ts'

// Entry point of the bundle: run the CLI and exit with its status.
main(process.argv.slice(2)).then(code => process.exit(code), (e: unknown) => {
  process.stderr.write(`[ALERT]    (${process.pid}) : ${(e as Error).stack ?? String(e)}\n`)
  process.exit(1)
})
