const preset = require('../../jest.preset.js');

module.exports = {
  ...preset,
  displayName: '@junction/core',
  // The OpenTelemetry exporter loads node:http with a dynamic import(), which Jest's CommonJS
  // sandbox refuses: its .cjs files are transpiled too, turning that import() into a require().
  transform: { ...preset.transform, '^.+\\.cjs$': preset.transform['^.+\\.(t|j)s$'] },
  transformIgnorePatterns: ['/node_modules/(?!(cookie|@opentelemetry)/)'],
};
