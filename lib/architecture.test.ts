import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

// go-containerregistry style: the core must stay framework-free so it runs in plain Node.
const FORBIDDEN = /^(next|react|react-dom|@xyflow|@tanstack)(\/|$)/;
const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)|require\(\s*["']([^"']+)["']\s*\)/g;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return sources(p);
    return /\.(ts|tsx|mts|js)$/.test(name) && p !== __filename ? [p] : [];
  });
}

export function forbiddenImports(root: string): string[] {
  const bad: string[] = [];
  for (const file of sources(root)) {
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(IMPORT)) {
      const spec = m[1] ?? m[2] ?? m[3];
      if (spec && FORBIDDEN.test(spec)) bad.push(`${relative(root, file)} imports ${spec}`);
    }
  }
  return bad;
}

describe("lib/ architecture", () => {
  it("imports nothing from next, react or @xyflow", () => {
    expect(forbiddenImports(__dirname)).toEqual([]);
  });

  it("the check notices a forbidden import", () => {
    const text = 'import { useState } from "react";\nexport { x } from "@xyflow/react";\nconst n = require("next/server");';
    const found = [...text.matchAll(IMPORT)].map((m) => m[1] ?? m[2] ?? m[3]).filter((s) => FORBIDDEN.test(s));
    expect(found).toEqual(["react", "@xyflow/react", "next/server"]);
  });
});
