import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: [".next/**", "node_modules/**", "test-results/**", "playwright-report/**", "e2e/fixtures/**", "next-env.d.ts"] },
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    files: ["lib/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: [{ group: ["next", "next/*", "react", "react-dom", "react/*", "@xyflow/*", "@tanstack/*"], message: "lib/ is framework-free: no next, react or @xyflow imports." }] },
      ],
    },
  },
  {
    // Integration tests read API JSON as it comes over the wire.
    files: ["e2e/integration/**/*.ts", "e2e/support/app-server.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
);
