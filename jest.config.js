/** One jest run for the whole product: engine/service tests in node, panel tests in jsdom (per-file docblock). */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts", "**/*.test.tsx"],
  transform: {
    "^.+\\.tsx?$": ["ts-jest", { tsconfig: "tsconfig.jest.json" }],
  },
  moduleFileExtensions: ["ts", "tsx", "js", "json"],
  testTimeout: 30000,
  // The tally scripts/test.mjs prints as its closing line.
  reporters: ["default", "<rootDir>/scripts/tally-reporter.cjs"],
};
