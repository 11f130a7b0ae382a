// Matches CSI and OSC escape sequences (the only ones the views emit, via chalk).
const ANSI = /\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)/g;
// East Asian wide and emoji ranges that take two terminal cells.
const WIDE =
  /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u{1f300}-\u{1f64f}\u{1f900}-\u{1f9ff}\u{20000}-\u{3fffd}]/u;
// C0/C1 control characters that would move the cursor or ring the bell if printed raw.
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;

/** Removes ANSI escape sequences. */
export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

/** Cells the text takes in a terminal: escapes count 0, wide characters 2, combining marks 0. */
export function textWidth(text: string): number {
  let width = 0;
  for (const ch of stripAnsi(text)) {
    if (/\p{M}/u.test(ch)) continue;
    width += WIDE.test(ch) ? 2 : 1;
  }
  return width;
}

/** Cuts plain text to at most `max` cells, ending with `…` when cut. */
export function truncate(text: string, max: number): string {
  if (textWidth(text) <= max) return text;
  let out = '';
  let width = 0;
  for (const ch of text) {
    const w = WIDE.test(ch) ? 2 : 1;
    if (width + w > max - 1) break;
    out += ch;
    width += w;
  }
  return `${out}…`;
}

/** Makes stored text safe to print: control characters become `�`, tabs become spaces. */
export function printable(text: string): string {
  return text.replaceAll('\t', '    ').replace(CONTROL, '\ufffd');
}
