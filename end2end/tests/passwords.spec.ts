import { expect, Page, test } from "@playwright/test";
import { writeFileSync } from "node:fs";
import { admin, hydrated, rosterCli, signIn, waitForHydration } from "./helpers";

async function signInAsAdmin(page: Page) {
  await signIn(page, admin);
  await expect(page).toHaveURL(/\/users$/);
}

/** The newest link to `email` in the outbox, read as the signed-in admin sees it. */
async function linkFromOutbox(page: Page, email: string): Promise<string> {
  await page.goto("/outbox");
  await expect(page.getByText("No mail server is configured")).toBeVisible();
  const row = page.getByRole("row").filter({ hasText: email }).first();
  await row.getByText("Show").click();
  const text = await row.locator("pre.message").innerText();
  const link = text.match(/http:\/\/\S+\/password\/[0-9a-f]{64}/)?.[0];
  expect(link, text).toBeTruthy();
  return link!;
}

async function setPassword(page: Page, password: string) {
  await waitForHydration(page, "Show new password");
  await page.getByLabel("New password", { exact: true }).fill(password);
  await page.getByLabel("Confirm new password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Set password" }).click();
}

test("a new user opens the invitation link from the outbox, sets a password and lands signed in", async ({ page, browser }) => {
  writeFileSync(".tmp/invite.csv", "Email,First Name,Last Name,Notify If New\nnia@acme.test,Nia,Newcomer,TRUE\n");
  rosterCli(["import", "--tenant", "Acme", "--as", admin.email, ".tmp/invite.csv"]);
  await signInAsAdmin(page);
  await page.goto("/users?q=nia%40acme");
  const users = page.getByRole("table", { name: "Users" });
  await expect(users.getByRole("cell", { name: "invited", exact: true })).toBeVisible();
  await users.getByRole("link", { name: "nia@acme.test" }).click();
  await hydrated(page);
  await expect(page.getByText("No password yet; invitation invited")).toBeVisible();
  await page.getByRole("button", { name: "Resend invitation" }).click();
  await expect(page.getByRole("status").filter({ hasText: "An invitation is on its way to nia@acme.test." })).toBeVisible();
  const link = await linkFromOutbox(page, "nia@acme.test");

  const nia = await (await browser.newContext()).newPage();
  await nia.goto(link);
  await expect(nia.getByRole("heading", { name: "Welcome: set your password" })).toBeVisible();
  await expect(nia.getByText("For nia@acme.test in Acme")).toBeVisible();
  await setPassword(nia, "Nia pass 2026");
  await expect(nia).toHaveURL(/\/profile$/);
  await expect(nia.getByRole("heading", { name: "Your profile" })).toBeVisible();
  await expect(nia.getByText("nia@acme.test").first()).toBeVisible();

  // The link is spent.
  await nia.goto(link);
  await expect(nia.getByRole("heading", { name: "This link has been used" })).toBeVisible();
  await page.goto("/users?q=nia%40acme");
  await expect(users.getByRole("cell", { name: "accepted", exact: true })).toBeVisible();
});

test("a forgotten password is set again through a link, and the old one stops working", async ({ page, browser }) => {
  rosterCli(["user", "create", "--tenant", "Acme", "--email", "fay@acme.test", "--last-name", "Forgetful"], "Fay pass 2026\n");
  const fay = await (await browser.newContext()).newPage();
  await fay.goto("/login");
  await fay.getByRole("link", { name: "Forgotten your password?" }).click();
  await expect(fay).toHaveURL(/\/forgot$/);
  await hydrated(fay);
  await fay.getByLabel("Email").fill("fay@acme.test");
  await fay.getByRole("button", { name: "Send link" }).click();
  await expect(fay.getByRole("status")).toContainText("If an account with that address can sign in with a password");

  await signInAsAdmin(page);
  const link = await linkFromOutbox(page, "fay@acme.test");
  await fay.goto(link);
  await expect(fay.getByRole("heading", { name: "Set a new password" })).toBeVisible();
  await setPassword(fay, "short");
  await expect(fay.getByRole("alert")).toContainText("at least 8 characters");
  await setPassword(fay, "Fay new pass 2026");
  await expect(fay).toHaveURL(/\/profile$/);

  const later = await (await browser.newContext()).newPage();
  await signIn(later, { email: "fay@acme.test", password: "Fay pass 2026" });
  await expect(later.getByRole("alert")).toContainText("wrong");
  await signIn(later, { email: "fay@acme.test", password: "Fay new pass 2026" });
  await expect(later).toHaveURL(/\/profile$/);
});

test("a user changes their own password on the profile page", async ({ page }) => {
  rosterCli(["user", "create", "--tenant", "Acme", "--email", "pia@acme.test", "--last-name", "Profile"], "Pia pass 2026\n");
  await signIn(page, { email: "pia@acme.test", password: "Pia pass 2026" });
  await expect(page).toHaveURL(/\/profile$/);
  await waitForHydration(page, "Show current password");
  await page.getByLabel("Current password", { exact: true }).fill("not it 2026");
  await page.getByLabel("New password", { exact: true }).fill("Pia new pass 2026");
  await page.getByLabel("Confirm new password", { exact: true }).fill("Pia new pass 2026");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByRole("alert")).toContainText("current password is not right");
  await page.getByLabel("Current password", { exact: true }).fill("Pia pass 2026");
  await page.getByLabel("New password", { exact: true }).fill("Pia new pass 2026");
  await page.getByLabel("Confirm new password", { exact: true }).fill("Pia new pass 2026");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Your password is changed" })).toBeVisible();
});
