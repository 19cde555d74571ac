import { expect, Page } from "@playwright/test";
import { execFileSync } from "node:child_process";
import { database, roster } from "../playwright.config";

export const admin = { email: "ann@acme.test", password: "Admin pass 2026" };
export const user = { email: "una@acme.test", password: "User pass 2026" };

/** Runs the roster command line on the test server's database. */
export function rosterCli(args: string[], input = ""): string {
  return execFileSync(roster, ["--database", database, ...args], { input, encoding: "utf8", maxBuffer: 1 << 30 });
}

/**
 * Waits until the page is hydrated: the password field's Show button only
 * reacts once the WASM has taken over the server-rendered HTML.
 */
export async function waitForHydration(page: Page, label = "Show password") {
  const toggle = page.getByRole("button", { name: label });
  await expect(async () => {
    await toggle.click();
    await expect(toggle).toHaveAttribute("aria-pressed", "true", { timeout: 500 });
  }).toPass({ timeout: 15_000 });
  await toggle.click();
  await expect(toggle).toHaveAttribute("aria-pressed", "false");
}

export async function signIn(page: Page, who: { email: string; password: string }) {
  await page.goto("/login");
  await waitForHydration(page);
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password", { exact: true }).fill(who.password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

export function mainNav(page: Page) {
  return page.getByRole("navigation", { name: "Main" });
}

/** Waits until the page's WASM has taken over, so that clicks reach it. */
export async function hydrated(page: Page) {
  await page.locator("body[data-hydrated]").waitFor();
}

/** A new organisation of its own with an admin, for tests that change what every page of a tenant shows. */
export function newTenant(name: string, email: string) {
  const who = { email, password: "Admin pass 2026" };
  rosterCli(["tenant", "create", name]);
  rosterCli(["admin", "create", "--tenant", name, "--email", email], `${who.password}\n`);
  return who;
}
