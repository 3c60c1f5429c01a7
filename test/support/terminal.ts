/**
 * A small terminal emulator for tests: applies the bytes node:readline and
 * pino-pretty write (text, CR, LF, backspace, CSI cursor moves, erase in
 * line and display, colours ignored) to a grid of lines, so a test can
 * assert what the user sees rather than which escapes were sent.
 */
export function render(bytes: string, columns = 200): string[] {
  const lines: string[][] = [[]];
  let row = 0;
  let col = 0;
  const line = () => (lines[row] ??= []);
  for (let i = 0; i < bytes.length; i++) {
    const ch = bytes[i]!;
    if (ch === '\x1b') {
      const csi = /^\x1b\[([0-9;?]*)([A-Za-z])/.exec(bytes.slice(i));
      if (!csi) {
        const osc = /^\x1b\][^\x07]*\x07/.exec(bytes.slice(i));
        i += (osc ? osc[0].length : 2) - 1;
        continue;
      }
      i += csi[0].length - 1;
      const n = csi[1] === '' ? undefined : Number(csi[1]!.split(';')[0]);
      switch (csi[2]) {
        case 'G':
          col = (n ?? 1) - 1;
          break;
        case 'A':
          row = Math.max(0, row - (n ?? 1));
          break;
        case 'B':
          row += n ?? 1;
          break;
        case 'C':
          col += n ?? 1;
          break;
        case 'D':
          col = Math.max(0, col - (n ?? 1));
          break;
        case 'K': {
          const l = line();
          if ((n ?? 0) === 0) l.length = Math.min(l.length, col);
          else if (n === 1) for (let c = 0; c <= col && c < l.length; c++) l[c] = ' ';
          else l.length = 0;
          break;
        }
        case 'J':
          if ((n ?? 0) === 0) {
            line().length = Math.min(line().length, col);
            lines.length = row + 1;
          }
          break;
        default:
          break; // m (colours), h/l (modes): no effect on the text
      }
      continue;
    }
    if (ch === '\r') col = 0;
    else if (ch === '\n') {
      row++;
      col = 0;
    } else if (ch === '\b') col = Math.max(0, col - 1);
    else if (ch >= ' ') {
      const l = line();
      while (l.length < col) l.push(' ');
      l[col] = ch;
      col++;
      if (col >= columns) {
        row++;
        col = 0;
      }
    }
  }
  for (let r = 0; r <= row; r++) lines[r] ??= [];
  return lines.map((l) => l.join('').trimEnd());
}
