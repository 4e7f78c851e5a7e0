import { describe, expect, it } from "vitest";
import { previewBlob } from "./blob-preview";

const enc = (s: string) => new TextEncoder().encode(s);

describe("previewBlob", () => {
  it("pretty-prints JSON", () => {
    expect(previewBlob({ bytes: enc('{"a":[1,2]}'), truncated: false })).toEqual({ kind: "json", text: '{\n  "a": [\n    1,\n    2\n  ]\n}', truncated: false });
  });

  it("shows text, and JSON cut short as text", () => {
    expect(previewBlob({ bytes: enc("hello\nworld"), truncated: false })).toEqual({ kind: "text", text: "hello\nworld", truncated: false });
    expect(previewBlob({ bytes: enc('{"a": "b'), truncated: true })).toMatchObject({ kind: "text", truncated: true });
  });

  it("summarises binary content by magic number, and unknown binary as such", () => {
    expect(previewBlob({ bytes: new Uint8Array([0x1f, 0x8b, 8, 0]), truncated: false })).toEqual({ kind: "binary", format: "gzip", head: "1f 8b 08 00", truncated: false });
    expect(previewBlob({ bytes: new Uint8Array([0, 1, 2, 3, 0xff, 0xfe, 0, 0]), truncated: false })).toMatchObject({ kind: "binary", format: "binary data" });
  });
});
