import { expect, Page, test } from "@playwright/test";
import { readFileSync, writeFileSync } from "node:fs";
import { hydrated, newTenant, rosterCli, signIn } from "./helpers";

// Each test has an organisation of its own: its columns show in every page of the tenant.

async function addColumn(page: Page, name: string, kind: string, values = "") {
  const form = page.getByRole("form", { name: "Add a column" });
  await form.getByLabel("Name").fill(name);
  await form.getByLabel("Kind").selectOption(kind);
  if (values) await form.getByLabel("Values (separated by |)").fill(values);
  await form.getByRole("button", { name: "Add column" }).click();
  await expect(page.getByRole("table", { name: "Your organisation's columns" }).getByRole("row", { name: new RegExp(name) })).toContainText(kind);
}

test("an admin adds the organisation's own columns and is told of a clash", async ({ page }) => {
  const admin = newTenant("Colco", "cleo@colco.test");
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
  const listed = JSON.parse(rosterCli(["column", "list", "--tenant", "Colco", "--json"]));
  expect(listed.map((c: { name: string }) => c.name)).toEqual(["Lone Working", "Default Context"]);

  // A value renamed in the list; a column removed.
  await page.getByRole("button", { name: "Edit Default Context" }).click();
  const rename = page.getByRole("form", { name: "Rename a value of Default Context" });
  await rename.getByLabel("Value").selectOption("Field");
  await rename.getByLabel("New name").fill("On Site");
  await rename.getByRole("button", { name: "Rename value" }).click();
  await expect(page.getByRole("status").filter({ hasText: "is now On Site" })).toContainText("for 0 users");
  await expect(table.getByRole("row", { name: /Default Context/ })).toContainText("Head Office | On Site");
  // Removing a column that holds a value asks first, and says how many users hold one.
  writeFileSync(".tmp/colco.csv", "Email,Last Name,Lone Working\ncleo@colco.test,Admin,TRUE\n");
  rosterCli(["import", "--tenant", "Colco", "--as", admin.email, ".tmp/colco.csv"]);
  await page.getByRole("button", { name: "Remove Lone Working" }).click();
  const confirm = page.getByRole("alertdialog", { name: "Remove Lone Working?" });
  await expect(confirm).toContainText("1 user holds a value in it");
  await confirm.getByRole("button", { name: "Remove Lone Working and its values" }).click();
  await expect(table.getByRole("row")).toHaveCount(2);
  expect(rosterCli(["export", "--tenant", "Colco"])).not.toContain("Lone Working");
});

test("an organisation's columns go through the template, the check, the fix, the list, the user's page and the history", async ({ page }) => {
  const admin = newTenant("Fieldco", "fern@fieldco.test");
  await signIn(page, admin);
  await expect(page).toHaveURL(/\/users$/);
  await page.goto("/columns");
  await hydrated(page);
  await addColumn(page, "Lone Working", "boolean");
  await addColumn(page, "Default Context", "choice", "Head Office|Field");

  await page.goto("/import");
  await expect(page.getByText(/Files are checked against your directory/)).toBeVisible();
  const saved = page.waitForEvent("download");
  await page.getByRole("button", { name: "Download template" }).click();
  const template = readFileSync(await (await saved).path()).toString("utf8");
  expect(template.replace(/^\ufeff/, "").split(/\r?\n/)[0]).toMatch(/,Copy Groups,Lone Working,Default Context$/);

  const file = "Email,Last Name,Lone Working,Default Context\ndan@fieldco.test,Doe,yes,Feild\neve@fieldco.test,Ng,no,Head Office\n";
  await page.getByLabel("Spreadsheet").setInputFiles({ name: "staff.csv", mimeType: "text/csv", buffer: Buffer.from(file) });
  const problems = page.getByRole("region", { name: /problems to fix/ });
  await expect(problems).toContainText("Did you mean Field?");
  await problems.getByLabel("Row 2, Default Context").fill("field");
  await problems.getByLabel("Row 2, Default Context").press("Tab");
  await expect(page.getByRole("region", { name: "Preview" }).locator("dd").first()).toHaveText("2");
  await page.getByRole("button", { name: "Import", exact: true }).click();
  await expect(page.getByRole("status").filter({ hasText: "Users Loaded" })).toContainText("2 Added");

  await page.goto("/users");
  await hydrated(page);
  await page.getByLabel("Default Context").selectOption({ label: "Field" });
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/own=/);
  await expect(page.getByText("1 user matches")).toBeVisible();
  const table = page.getByRole("table", { name: "Users" });
  await expect(table.getByRole("row", { name: /dan@fieldco.test/ })).toContainText("Field");
  await table.getByRole("link", { name: "dan@fieldco.test", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Doe" })).toBeVisible();
  await hydrated(page);
  await expect(page.getByLabel("Lone Working")).toHaveValue("TRUE");
  await page.getByLabel("Lone Working").selectOption("FALSE");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Users Loaded" })).toContainText("1 Updated");
  await page.getByRole("link", { name: "See this change in the history" }).click();
  const changes = page.getByRole("table", { name: "Every change, field by field" });
  await expect(changes.getByRole("row", { name: /Lone Working/ })).toContainText("TRUE");
  await expect(changes.getByRole("row", { name: /Lone Working/ })).toContainText("FALSE");
});
