/** A place in a configuration file, carried by every compiled object so that
 *  errors and warnings can name file:line (HAProxy "parsing [file:line]"). */
export interface Where { readonly file: string; readonly line: number }

export function whereText (w: Where): string { return `${w.file}:${w.line}` }
