import { RulesError } from './types.ts'

const VAR_NAME = /^(proc|sess|txn|req|res)\.[A-Za-z0-9._-]+$/

/** Validates a variable name `<scope>.<name>`; returns it (the key of StreamView.vars). */
export function checkVarName (name: string): string {
  if (!VAR_NAME.test(name)) {
    throw new RulesError(`invalid variable name '${name}'. A variable name must be prefixed by its scope ('proc', 'sess', 'txn', 'req' or 'res')`)
  }
  return name
}
