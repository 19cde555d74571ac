import { expect, test } from "@playwright/test";
import { admin, hydrated, rosterCli, signIn } from "./helpers";

test("an admin adds the organisation's own columns and is told of a clash", async ({ page }) => {
  await signIn(page, admin);
  await page.getByRole("link", { name: "Columns" }).click();
  await expect(page).toHaveURL(/\/columns$/);
  await hydrated(page);
  const form = page.getByRole("form", { name: "Add a column" });

  await form.getByLabel("Name").fill("Lone Working");
  await form.getByLabel("Kind").selectOption("boolean");
  await form.getByLabel("Description").fill("Licensed for Lone Working");
  await form.getByRole("button", { name: "Add column" }).click();
  const table = page.getByRole("table", { name: "Your organisation's columns" });
  await expect(table.getByRole("row", { name: /Lone Working/ })).toContainText("boolean");

  await form.getByLabel("Name").fill("Default Context");
  await form.getByLabel("Kind").selectOption("choice");
  await form.getByLabel("Values (separated by |)").fill("Head Office|Field");
  await form.getByLabel("Default", { exact: true }).fill("field");
  await form.getByLabel("Required").check();
  await form.getByRole("button", { name: "Add column" }).click();
  await expect(table.getByRole("row", { name: /Default Context/ })).toContainText("default Field");
  await expect(table.getByRole("row", { name: /Default Context/ })).toContainText("Head Office | Field");

  // A name that a file would read as Roster's own column is refused, and says which.
  await form.getByLabel("Name").fill("Surname");
  await form.getByLabel("Kind").selectOption("text");
  await form.getByRole("button", { name: "Add column" }).click();
  await expect(page.getByRole("alert")).toContainText("Last Name");
  await expect(table.getByRole("row")).toHaveCount(3);

  // The command line sees the same columns.
  const listed = JSON.parse(rosterCli(["column", "list", "--tenant", "Acme", "--json"]));
  expect(listed.map((c: { name: string }) => c.name)).toEqual(["Lone Working", "Default Context"]);
});
