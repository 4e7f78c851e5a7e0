import type { Metadata } from "next";
import { SignInForm } from "@/components/account/sign-in-form";
import { safeCallbackPath } from "@/lib/server/callback-url";
import { getRuntime } from "@/lib/server/runtime";

export const metadata: Metadata = { title: "Sign in" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function SignInPage({ searchParams }: Props) {
  const sp = await searchParams;
  let enabled = false;
  let local = false;
  let providers: { id: string; name: string }[] = [];
  let configError: string | undefined;
  try {
    const auth = getRuntime().config.auth;
    enabled = auth.enabled;
    local = !!auth.usersFile;
    providers = auth.oidc.map((o) => ({ id: o.id, name: o.name }));
  } catch (err) {
    configError = (err as Error).message;
  }
  return (
    <main className="mx-auto max-w-sm px-4 py-12">
      <h1 className="text-2xl font-semibold">Sign in to Chainsight</h1>
      {configError ? (
        <p role="alert" className="mt-4 text-sm text-red-700 dark:text-red-300">
          {configError}
        </p>
      ) : !enabled ? (
        <p className="mt-4 text-sm text-slate-600 dark:text-slate-300">Sign-in is not enabled on this server: access is open to everyone who can reach it.</p>
      ) : (
        <SignInForm local={local} providers={providers} callbackUrl={safeCallbackPath(sp.callbackUrl)} error={typeof sp.error === "string" ? sp.error : undefined} />
      )}
    </main>
  );
}
