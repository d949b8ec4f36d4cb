// ESLint 9 flat config. pcf-scripts runs this on the control folder during every build.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import react from "eslint-plugin-react";
import promise from "eslint-plugin-promise";
import powerApps from "@microsoft/eslint-plugin-power-apps";
import globals from "globals";
import boundaries from "eslint-plugin-boundaries";

/**
 * The rooms (docs/architecture.md) and what may not cross between them. The engine and the schema
 * are pure: no client, no service, no Node built-in (I/O), only ajv from outside. Production code
 * (hosts, triggers, core, clients, solution, panel) never imports the emulators, the sandbox or
 * tests; bench never imports tests. test/lint/boundaries.test.ts proves planted violations fail.
 */
const ROOMS = [
  { type: "schema", pattern: ["sync/schema/**", "sync/contracts/**"] },
  { type: "engine", pattern: "sync/engine/**" },
  { type: "clients", pattern: ["sync/dataverse/**", "sync/partner-center/**", "sync/shared/**"] },
  { type: "core", pattern: ["api/core/**", "api/ports/**"] },
  // The rest of api/ (service, config, triggers, hosts, cli): the first room that matches a file wins.
  { type: "service", pattern: ["api/**", "bin/**"] },
  { type: "solution", pattern: "solution/**" },
  { type: "panel", pattern: ["controls/**", "webresources/**"] },
  { type: "emulators", pattern: "emulators/**" },
  { type: "sandbox", pattern: "sandbox/**" },
  { type: "bench", pattern: "bench/**" },
  { type: "test", pattern: "test/**" },
].map((room) => ({ ...room, partialMatch: false }));
const PRODUCTION = ["schema", "engine", "clients", "core", "service", "solution", "panel"];
const rooms = (...types) => ({ to: { element: { types: { anyOf: types } } } });

export default tseslint.config(
  { ignores: ["node_modules/**", "out/**", "dist/**", "coverage/**", "**/generated/**", "test-results/**", ".sandbox-data/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    plugins: { promise },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "promise/catch-or-return": "off",
      "promise/no-return-wrap": "error",
    },
  },
  {
    files: ["controls/**/*.{ts,tsx}", "webresources/**/*.ts"],
    plugins: { react, "@microsoft/power-apps": powerApps },
    settings: { react: { version: "16.14" } },
    rules: {
      ...react.configs.recommended.rules,
      "react/prop-types": "off",
      "@microsoft/power-apps/avoid-unpub-api": "warn",
      "@microsoft/power-apps/do-not-make-parent-assumption": "warn",
      "@microsoft/power-apps/use-async": "error",
    },
  },
  {
    files: ["**/*.{ts,tsx,mts,mjs}"],
    plugins: { boundaries },
    settings: {
      "boundaries/elements": ROOMS,
      "import/resolver": { node: { extensions: [".ts", ".tsx", ".mts", ".js", ".mjs", ".json"] } },
    },
    rules: {
      "boundaries/dependencies": ["error", {
        default: "allow",
        checkAllOrigins: true,
        policies: [
          { from: { element: { types: { anyOf: ["schema", "engine"] } } }, disallow: rooms("clients", "core", "service", "solution", "panel", "emulators", "sandbox", "bench", "test") },
          { from: { element: { type: "schema" } }, disallow: rooms("engine") },
          { from: { element: { types: { anyOf: ["schema", "engine"] } } }, disallow: { to: { module: { origin: "core" } } } },
          { from: { element: { types: { anyOf: ["schema", "engine"] } } }, disallow: { to: { module: { origin: "external", source: "!ajv" } } } },
          { from: { element: { types: { anyOf: PRODUCTION } } }, disallow: rooms("emulators", "sandbox", "bench", "test") },
          { from: { element: { type: "bench" } }, disallow: rooms("test") },
          { from: { element: { type: "emulators" } }, disallow: rooms("sandbox", "bench", "test") },
        ],
      }],
    },
  },
  {
    files: ["**/*.js", "**/*.cjs"],
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
);
