import { defineConfig } from "@playwright/test";
import base from "./playwright.config";

// `npx playwright test --config bench.config.ts`: the browser benchmarks of
// BENCHMARKS.md. Not part of the test run; nothing here asserts a time.
export default defineConfig({
  ...base,
  testDir: "./bench",
  projects: undefined,
  timeout: 900_000,
  expect: { timeout: 300_000 },
});
