/**
 * Text from a registry shown to a person: characters that hide or reorder
 * what is on screen (control characters, bidirectional overrides, zero-width
 * characters) are written as \u{…} escapes, and a very long string is cut
 * with its length said. The result is still only ever rendered as text.
 */
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/gu;

export function visibleText(s: string, max = 200): string {
  const cut = s.length > max ? `${s.slice(0, max)}… (${s.length} characters)` : s;
  return cut.replace(INVISIBLE, (c) => `\\u{${c.codePointAt(0)!.toString(16).padStart(4, "0")}}`);
}
