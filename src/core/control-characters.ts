/**
 * Text from elsewhere (a log field, what a hostile server answered) made safe to print: every C0
 * and C1 control character, newlines included, shown as `\uXXXX`, so nothing it holds can move
 * the cursor, rewrite the screen or fake a line of output on a terminal.
 * @see ECMA-48 (control functions a terminal obeys)
 */
export function escapeControlCharacters(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
