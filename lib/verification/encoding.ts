/**
 * Strict decoders: Buffer.from(x, "base64") silently skips characters it does
 * not know, so "wrong base64" would become different bytes instead of an
 * error naming the field.
 */

export class EncodingError extends Error {}

const BASE64URL = /^[A-Za-z0-9_-]*$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2,3})?$/;

export function base64url(text: unknown, field: string): Uint8Array {
  if (typeof text !== "string") throw new EncodingError(`${field} is not a string`);
  if (!BASE64URL.test(text) || text.length % 4 === 1) throw new EncodingError(`${field} is not base64url`);
  return new Uint8Array(Buffer.from(text, "base64url"));
}

export function base64(text: unknown, field: string): Uint8Array {
  if (typeof text !== "string") throw new EncodingError(`${field} is not a string`);
  const compact = text.replace(/\s+/g, "");
  if (!BASE64.test(compact)) throw new EncodingError(`${field} is not base64`);
  return new Uint8Array(Buffer.from(compact, "base64"));
}

export function utf8(bytes: Uint8Array): string {
  return new TextDecoder("utf-8", { fatal: false }).decode(bytes);
}

/** JSON.parse that names the field instead of throwing SyntaxError. */
export function parseJson(text: string, field: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new EncodingError(`${field} is not JSON`);
  }
}

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("hex");
}
