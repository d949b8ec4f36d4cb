// Writes the run's counts for scripts/test.mjs. Jest's own --json report serialises every failure's
// details and crashes on a circular one ("Converting circular structure to JSON"), losing the tally
// exactly when a test fails; the counts alone always serialise.
const { mkdirSync, writeFileSync } = require("node:fs");
const { dirname } = require("node:path");

class TallyReporter {
  constructor(_globalConfig, options = {}) {
    this.file = options.outputFile || "test-results/tally.json";
  }

  onRunComplete(_contexts, results) {
    mkdirSync(dirname(this.file), { recursive: true });
    writeFileSync(this.file, JSON.stringify({
      numPassedTests: results.numPassedTests,
      numFailedTests: results.numFailedTests,
      numPendingTests: results.numPendingTests,
      numTotalTests: results.numTotalTests,
      numFailedTestSuites: results.numFailedTestSuites,
      numRuntimeErrorTestSuites: results.numRuntimeErrorTestSuites,
      // Not results.success: jest sets that only after the reporters have run.
      success: results.numFailedTests === 0 && results.numFailedTestSuites === 0 && results.numRuntimeErrorTestSuites === 0,
    }));
  }
}

module.exports = TallyReporter;
