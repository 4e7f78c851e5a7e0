/** Display formats shared by the pages. Plain functions, safe in the browser bundle. */

export function shortDigest(digest: string | undefined, hex = 12): string {
  if (!digest) return "";
  const i = digest.indexOf(":");
  return i < 0 ? digest.slice(0, hex) : `${digest.slice(0, i)}:${digest.slice(i + 1, i + 1 + hex)}`;
}

export function formatBytes(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return "—";
  if (n < 1024) return `${n} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[u]}`;
}

/** `2026-01-05 14:03 UTC`: unambiguous for teams across time zones. */
export function formatDate(iso: string | undefined): string {
  if (!iso) return "—";
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return "—";
  return new Date(t).toISOString().slice(0, 16).replace("T", " ") + " UTC";
}

/** Only http(s) URLs become links; everything else stays text. */
export function safeHttpUrl(value: string): string | undefined {
  if (!/^https?:\/\//i.test(value)) return undefined;
  try {
    const u = new URL(value);
    return u.protocol === "http:" || u.protocol === "https:" ? u.toString() : undefined;
  } catch {
    return undefined;
  }
}

export function platformLabel(p: { os?: string; architecture?: string; variant?: string } | undefined): string {
  if (!p) return "unknown platform";
  return [p.os, p.architecture, p.variant].filter(Boolean).join("/") || "unknown platform";
}

/** "3 days ago", "5 hours ago", "just now"; "—" when unknown. */
export function formatAge(iso: string | undefined, now = Date.now()): string {
  if (!iso) return "—";
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return "—";
  const s = Math.max(0, (now - t) / 1000);
  const [n, unit] = s < 60 ? [0, ""] : s < 3600 ? [Math.floor(s / 60), "minute"] : s < 86400 ? [Math.floor(s / 3600), "hour"] : s < 86400 * 60 ? [Math.floor(s / 86400), "day"] : s < 86400 * 730 ? [Math.floor(s / (86400 * 30)), "month"] : [Math.floor(s / (86400 * 365)), "year"];
  return n === 0 ? "just now" : `${n} ${unit}${n === 1 ? "" : "s"} ago`;
}
