// Shared Jest settings: swc transpiles (type errors are the `typecheck` target's job), and the
// `@junction/source` export condition makes every workspace package resolve to its TypeScript source.
const serial = process.env.JUNCTION_TEST_SERIAL === '1';

module.exports = {
  testEnvironment: 'node',
  testEnvironmentOptions: { customExportConditions: ['@junction/source', 'node', 'require', 'default'] },
  transform: {
    '^.+\\.(t|j)s$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  // cookie@2 (pulled in by light-my-request for fastify.inject) ships ESM only.
  transformIgnorePatterns: ['/node_modules/(?!(cookie)/)'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  // `*.serial.spec.ts` disturb shared servers (a broker restart): `npm test` runs them alone,
  // after the parallel suites, through each project's `test-serial` target.
  testMatch: serial ? ['<rootDir>/src/**/*.serial.spec.ts'] : ['<rootDir>/src/**/*.spec.ts'],
  testPathIgnorePatterns: serial ? ['/node_modules/'] : ['/node_modules/', '\\.serial\\.spec\\.ts$'],
};
