import Link from "next/link";

export default function DashboardNotFound() {
  return (
    <main className="mx-auto max-w-3xl px-6 py-12">
      <h1 className="text-2xl font-semibold">Page not found</h1>
      <p className="mt-2 text-slate-600 dark:text-slate-300">
        This address names no registry page. Repository pages look like <code>/r/&lt;registry&gt;/&lt;repository&gt;</code>, artifact pages like{" "}
        <code>/r/&lt;registry&gt;/&lt;repository&gt;/@&lt;tag or digest&gt;</code>.
      </p>
      <Link href="/" className="mt-4 inline-block text-blue-700 underline dark:text-blue-300">
        Back to the registries
      </Link>
    </main>
  );
}
