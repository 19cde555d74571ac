import { expect, test } from "@playwright/test";
import { admin, mainNav, rosterCli, user, waitForHydration } from "./helpers";

test("first run: the start page offers setup, which creates the organisation and its admin once", async ({ page }) => {
  await page.goto("/");
  await expect(page).toHaveURL(/\/setup$/);
  await expect(page.getByRole("heading", { name: "Set up Roster" })).toBeVisible();
  await waitForHydration(page);

  await page.getByLabel("Organisation").fill("Acme");
  await page.getByLabel("Email").fill(admin.email);
  await page.getByLabel("First name").fill("Ann");
  await page.getByLabel("Last name").fill("Lee");
  await page.getByLabel("Password", { exact: true }).fill(admin.password);
  await page.getByLabel("Confirm password", { exact: true }).fill("a different one 1");
  await page.getByRole("button", { name: "Create organisation" }).click();
  await expect(page.getByRole("alert")).toContainText("type the same password twice");

  await page.getByLabel("Confirm password", { exact: true }).fill(admin.password);
  await page.getByRole("button", { name: "Create organisation" }).click();
  await expect(page).toHaveURL(/\/users$/);
  await expect(page.getByRole("heading", { name: "Users" })).toBeVisible();
  await expect(mainNav(page).getByRole("link", { name: "Import" })).toBeVisible();

  await page.goto("/setup");
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();

  // A plain user for the tests that follow, made the operator's way.
  rosterCli(["user", "create", "--tenant", "Acme", "--email", user.email, "--last-name", "Park"], `${user.password}\n`);
});
