import { runUiWorker } from './worker.ts'

// Worker entry when running from sources (the bundle re-enters itself, see cli.ts).
void runUiWorker()
