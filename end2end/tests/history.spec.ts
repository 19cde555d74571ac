import { expect, test } from "@playwright/test";
import { writeFileSync } from "node:fs";
import { admin, mainNav, rosterCli, signIn } from "./helpers";

test("an import made on the command line shows in the history, field by field, without passwords", async ({ page }) => {
  const file = ".tmp/history.csv";
  writeFileSync(file, "Email,Last Name,Title,Password\nhal@acme.test,Hal,Pilot,Secret123\n");
  const out = rosterCli(["import", "--tenant", "Acme", "--as", admin.email, file]);
  expect(out).toContain("Users Loaded successfully. 1 Added, 0 Updated, 0 Deleted, 0 Roles Added.");

  await signIn(page, admin);
  await expect(page).toHaveURL(/\/users$/);
  await mainNav(page).getByRole("link", { name: "History" }).click();
  const table = page.getByRole("table", { name: "Every import, newest first" });
  await expect(table.getByRole("cell", { name: "history.csv" })).toBeVisible();
  await table.getByRole("link").first().click();

  await expect(page.getByRole("heading", { name: "Import of history.csv" })).toBeVisible();
  const changes = page.getByRole("table", { name: "Every change, field by field" });
  await expect(changes.getByRole("cell", { name: "Pilot" })).toBeVisible();
  await expect(changes.getByRole("row").filter({ hasText: "Password" })).toContainText("set");
  await expect(page.locator("body")).not.toContainText("Secret123");

  await page.getByLabel("Filter by user or field").fill("nobody");
  await expect(changes.getByRole("row")).toHaveCount(1); // the heading row only
  await page.getByLabel("Filter by user or field").fill("HAL@");
  await expect(changes.getByRole("row")).toHaveCount(2);

  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Download changes (CSV)" }).click();
  const saved = await (await download).path();
  const { readFileSync } = await import("node:fs");
  expect(readFileSync(saved, "utf8")).toContain("Row,User,Action,Field,Old value,New value");
});

test("an import is undone from its page: preview first, then the directory is as it was", async ({ page }) => {
  writeFileSync(".tmp/undo.csv", "Email,Last Name,Title,Roles\nuno@acme.test,Uno,Temp,Temp-Role\n");
  rosterCli(["import", "--tenant", "Acme", "--as", admin.email, ".tmp/undo.csv"]);
  expect(rosterCli(["export", "--tenant", "Acme"])).toContain("uno@acme.test");

  await signIn(page, admin);
  await expect(page).toHaveURL(/\/users$/);
  await page.goto("/history");
  await page.getByRole("table", { name: "Every import, newest first" }).getByRole("link").first().click();
  await expect(page.getByRole("heading", { name: "Import of undo.csv" })).toBeVisible();

  const undo = page.getByRole("region", { name: "Undo" });
  await expect(async () => {
    await undo.getByRole("button", { name: "Undo this import" }).click();
    await expect(undo.getByRole("region", { name: "Preview" })).toBeVisible({ timeout: 1000 });
  }).toPass();
  await expect(undo.getByText("Users to delete (1)")).toBeVisible();
  await expect(undo.getByText("Roles this import created, which no user holds after the undo, are removed: Temp-Role.")).toBeVisible();
  await undo.getByRole("button", { name: "Confirm undo" }).click();
  await expect(undo.getByRole("status").filter({ hasText: "Users Loaded" })).toContainText("0 Added, 0 Updated, 1 Deleted");
  expect(rosterCli(["export", "--tenant", "Acme"])).not.toContain("uno@acme.test");

  await undo.getByRole("link", { name: "See this import in the history" }).click();
  await expect(page.getByRole("heading", { name: /Import of Undo of import \d+ \(undo\.csv\)/ })).toBeVisible();
  const removed = page.getByRole("table", { name: "Every change, field by field" }).getByRole("row").filter({ hasText: "remove_role" });
  await expect(removed.getByRole("cell")).toHaveText(["", "", "remove_role", "Roles", "Temp-Role", ""]);
});
