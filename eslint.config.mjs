// ESLint 9 flat config. pcf-scripts runs this on the control folder during every build.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import react from "eslint-plugin-react";
import promise from "eslint-plugin-promise";
import powerApps from "@microsoft/eslint-plugin-power-apps";
import globals from "globals";

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
    files: ["**/*.js", "**/*.cjs"],
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
);
