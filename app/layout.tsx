import type { Metadata } from "next";
import { headers } from "next/headers";
import Link from "next/link";
import type { ReactNode } from "react";
import { SignOutButton } from "@/components/account/sign-out-button";
import { Providers } from "@/components/providers";
import { getRuntime } from "@/lib/server/runtime";
import { pagePrincipal } from "./session";
import { THEME_SCRIPT, ThemeToggle } from "@/components/theme";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Chainsight", template: "%s · Chainsight" },
  description: "Software supply chains in OCI registries: signatures, SBOMs, scans and attestations, as a graph.",
  icons: { icon: "/favicon.svg" },
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  const { principal, authEnabled } = await pagePrincipal();
  const nonce = (await headers()).get("x-nonce") ?? undefined;
  let admin = false;
  try {
    admin = !!principal && authEnabled && getRuntime().policy.isAdmin(principal);
  } catch {
    admin = false;
  }
  return (
    <html lang="en" suppressHydrationWarning>
      <head>
        <script nonce={nonce} dangerouslySetInnerHTML={{ __html: THEME_SCRIPT }} />
      </head>
      <body className="min-h-screen bg-white text-slate-900 antialiased dark:bg-slate-950 dark:text-slate-100">
        <Providers>
          <header className="border-b border-slate-200 dark:border-slate-800">
            <div className="mx-auto flex max-w-7xl flex-wrap items-center gap-x-4 gap-y-1 px-4 py-2">
              <Link href="/" className="flex shrink-0 items-center gap-2 font-semibold tracking-tight">
                <img src="/favicon.svg" alt="" className="h-5 w-5" />
                Chainsight
              </Link>
              <nav aria-label="Main" className="shrink-0 text-sm text-slate-600 dark:text-slate-300">
                <Link href="/" className="hover:underline">
                  Registries
                </Link>
                <Link href="/search" className="ml-4 hover:underline">
                  Search
                </Link>
                <Link href="/coverage" className="ml-4 hover:underline">
                  Coverage
                </Link>
                {(admin || !authEnabled) && (
                  <Link href="/admin/index" className="ml-4 hover:underline">
                    Index
                  </Link>
                )}
                {admin && (
                  <Link href="/admin/audit" className="ml-4 hover:underline">
                    Audit trail
                  </Link>
                )}
                {(admin || !authEnabled) && (
                  <Link href="/admin/trust" className="ml-4 hover:underline">
                    Trust
                  </Link>
                )}
              </nav>
              <div className="ml-auto flex min-w-0 items-center gap-3">
                {!authEnabled ? (
                  <span className="text-xs text-slate-500 dark:text-slate-400" title="Sign-in is not configured: anyone who can reach this server can browse the configured registries.">
                    <span className="sm:hidden">Open access</span>
                    <span className="hidden sm:inline">Open access (no sign-in)</span>
                  </span>
                ) : principal ? (
                  <>
                    <span className="min-w-0 truncate text-xs text-slate-600 dark:text-slate-300" data-testid="signed-in-user">
                      Signed in as <span className="font-medium">{principal.name}</span>
                    </span>
                    <SignOutButton />
                  </>
                ) : null}
                <ThemeToggle />
              </div>
            </div>
          </header>
          {children}
        </Providers>
      </body>
    </html>
  );
}
