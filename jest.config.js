/** @type {import('jest').Config} */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Rendering with two real Helm binaries dominates the run time; keep the suite on both cores.
  maxWorkers: 2,
  testSequencer: '<rootDir>/test/harness/sequencer.js',
  testTimeout: 120000,
  transform: { '^.+\\.ts$': ['ts-jest', {}] },
};
