import { defineConfig } from "@playwright/test";

// The release build, on a fresh SQLite file, on a port of its own.
const port = Number(process.env.E2E_PORT ?? 3123);
export const database = "sqlite://.tmp/e2e.db";
export const roster = "../target/release/roster";

export default defineConfig({
  testDir: "./tests",
  timeout: 30_000,
  expect: { timeout: 10_000 },
  // One browser at a time: the tests share one server and its database.
  workers: 1,
  fullyParallel: false,
  forbidOnly: true,
  retries: 0,
  reporter: [["list"]],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    browserName: "chromium",
    launchOptions: {
      // Playwright's own browser download is blocked here: Debian's Chromium.
      executablePath: "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  projects: [
    { name: "first-run", testMatch: /first-run\.spec\.ts/ },
    { name: "signed-in", testIgnore: /first-run\.spec\.ts/, dependencies: ["first-run"] },
  ],
  webServer: {
    command: `rm -rf .tmp && mkdir -p .tmp && ${roster} --database ${database} serve --addr 127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}/login`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: "ignore",
    stderr: "pipe",
  },
});
