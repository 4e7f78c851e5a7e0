import type { FetchedBlob } from "./store";

/**
 * A blob as something safe to show: JSON pretty-printed, text as text,
 * anything else summarised (size, first bytes in hex). Blob content is
 * untrusted: this returns plain strings for the UI to render as text.
 */

export type BlobPreview =
  | { kind: "json"; text: string; truncated: boolean }
  | { kind: "text"; text: string; truncated: boolean }
  | { kind: "binary"; format: string; head: string; truncated: boolean };

export function previewBlob(blob: Pick<FetchedBlob, "bytes" | "truncated">, mediaType?: string): BlobPreview {
  const bytes = blob.bytes;
  const format = sniff(bytes);
  if (format) return { kind: "binary", format, head: hex(bytes.subarray(0, 64)), truncated: blob.truncated };
  const text = decodeText(bytes);
  if (text === undefined) return { kind: "binary", format: "binary data", head: hex(bytes.subarray(0, 64)), truncated: blob.truncated };
  if (!blob.truncated) {
    const trimmed = text.trim();
    if (trimmed.startsWith("{") || trimmed.startsWith("[") || /json/.test(mediaType ?? "")) {
      try {
        return { kind: "json", text: JSON.stringify(JSON.parse(trimmed), null, 2), truncated: false };
      } catch {
        // not JSON after all: show as text
      }
    }
  }
  return { kind: "text", text, truncated: blob.truncated };
}

/** Well-known binary formats by magic number. */
function sniff(b: Uint8Array): string | undefined {
  const starts = (...sig: number[]) => sig.every((v, i) => b[i] === v);
  if (starts(0x1f, 0x8b)) return "gzip";
  if (starts(0x28, 0xb5, 0x2f, 0xfd)) return "zstd";
  if (starts(0x50, 0x4b, 0x03, 0x04)) return "zip";
  if (starts(0x00, 0x61, 0x73, 0x6d)) return "WebAssembly module";
  if (starts(0x7f, 0x45, 0x4c, 0x46)) return "ELF executable";
  if (starts(0x89, 0x50, 0x4e, 0x47)) return "PNG image";
  if (starts(0x42, 0x5a, 0x68)) return "bzip2";
  if (starts(0xfd, 0x37, 0x7a, 0x58, 0x5a)) return "xz";
  if (b.length > 262 && String.fromCharCode(...b.subarray(257, 262)) === "ustar") return "tar archive";
  return undefined;
}

/** UTF-8 text without control characters other than whitespace; undefined otherwise. */
function decodeText(bytes: Uint8Array): string | undefined {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    // A cut in the middle of a multi-byte character at the end is fine.
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(0, Math.max(0, bytes.length - 3)));
    } catch {
      return undefined;
    }
  }
  const control = text.match(/[\u0000-\u0008\u000e-\u001f\u007f]/g)?.length ?? 0;
  return control > text.length / 100 + 1 ? undefined : text;
}

function hex(b: Uint8Array): string {
  return [...b].map((x) => x.toString(16).padStart(2, "0")).join(" ");
}
