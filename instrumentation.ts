/** Next.js calls this once at server start. */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { checkStartup, refuseUntransportableMethods } = await import("./lib/server/startup");
  refuseUntransportableMethods();
  checkStartup();
}
