// The console's suites start a whole embedded platform (and Chromium): on a loaded 2-core CI
// machine that alone can pass jest's default 5 s.
module.exports = { ...require('../../jest.preset.js'), displayName: '@junction/console', testTimeout: 30_000 };
