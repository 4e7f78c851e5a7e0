/**
 * CSV as the exports write it: every field quoted, and a cell a spreadsheet
 * would run as a formula (leading =, +, -, @, tab or carriage return) prefixed
 * with ', since registry content (package names, tags) is untrusted.
 */
export function csvCell(v: unknown): string {
  let s = v === undefined || v === null ? "" : String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return `"${s.replace(/"/g, '""')}"`;
}

/** A header line and rows of cells, CRLF line endings (RFC 4180). */
export function csvText(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  return [header.join(","), ...rows.map((r) => r.map(csvCell).join(","))].join("\r\n") + "\r\n";
}

/** A CSV download: not cached (it is the user's view under their rights), never sniffed as anything else. */
export function csvResponse(text: string, filename: string): Response {
  return new Response(text, {
    headers: { "content-type": "text/csv; charset=utf-8", "content-disposition": `attachment; filename="${filename.replace(/[^A-Za-z0-9._-]/g, "_")}"`, "cache-control": "no-store", "x-content-type-options": "nosniff" },
  });
}
