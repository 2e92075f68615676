/**
 * A block's code is not repeated in the page: the runtime reads it back from the highlighted
 * lines (controller.ts pageCode) and checks it against this hash, written at build, so a change in
 * the highlighter's markup is an error, never a silently different program.
 */
export function codeHash(code: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < code.length; i++) h = Math.imul(h ^ code.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(36);
}
