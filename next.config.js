/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  typedRoutes: false,
  // undici (the registry client's guarded fetch) loads its own WebAssembly parser, better-sqlite3 a native
  // addon: keep both out of the bundle.
  serverExternalPackages: ["undici", "better-sqlite3"],
  // Every response carries these; pages get their CSP (with a nonce) from proxy.ts, JSON from the route helper.
  // Keep in step with lib/server/security-headers.ts.
  async headers() {
    const common = [
      { key: "X-Frame-Options", value: "DENY" },
      { key: "X-Content-Type-Options", value: "nosniff" },
      { key: "Referrer-Policy", value: "same-origin" },
    ];
    const noContent = [{ key: "Content-Security-Policy", value: "default-src 'none'; frame-ancestors 'none'" }];
    return [
      { source: "/:path*", headers: common },
      { source: "/_next/:path*", headers: noContent },
      { source: "/favicon.svg", headers: noContent },
      { source: "/api/auth/:path*", headers: noContent },
    ];
  },
};

module.exports = nextConfig;
