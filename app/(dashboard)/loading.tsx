import { Loading } from "@/components/ui/primitives";

export default function DashboardLoading() {
  return (
    <main className="mx-auto max-w-7xl px-4 py-6">
      <Loading label="Loading" lines={6} />
    </main>
  );
}
