import { expect, test } from "@playwright/test";
import { readFileSync, writeFileSync } from "node:fs";
import { admin, rosterCli, signIn } from "./helpers";

test.beforeAll(() => {
  rosterCli(["group", "create", "--tenant", "Acme", "Cooks"]);
  writeFileSync(
    ".tmp/cooks.csv",
    "User ID,Email,First Name,Last Name,Title,Groups\nzoe,zoe@acme.test,Zoe,Adams,Chef,Cooks\nyan,yan@acme.test,Yan,Baker,=Chef,Cooks\nxia,xia@acme.test,Xia,Clark,Cook,Cooks\n",
  );
  rosterCli(["import", "--tenant", "Acme", "--as", admin.email, ".tmp/cooks.csv"]);
});

test("the users list filters and sorts, and the address keeps both", async ({ page }) => {
  await signIn(page, admin);
  await expect(page).toHaveURL(/\/users$/);
  const table = page.getByRole("table", { name: "Users" });
  const firstNames = () => table.locator("tbody tr td:nth-child(4)").allTextContents();

  await page.getByLabel("Search").fill("YA");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/q=YA/);
  await expect(page.getByText("1 user matches")).toBeVisible();
  await expect(table.getByRole("cell", { name: "yan@acme.test" })).toBeVisible();

  await page.getByRole("link", { name: "Clear" }).click();
  await page.getByLabel("Group").fill("Cooks");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page.getByText("3 users match")).toBeVisible();
  await table.getByRole("link", { name: "First Name" }).click();
  await expect(page).toHaveURL(/group=Cooks.*sort=first_name/);
  await expect.poll(firstNames).toEqual(["Xia", "Yan", "Zoe"]);
  await table.getByRole("link", { name: /First Name/ }).click();
  await expect(page).toHaveURL(/desc=1/);
  await expect.poll(firstNames).toEqual(["Zoe", "Yan", "Xia"]);
  await expect(table.getByRole("columnheader", { name: /First Name/ })).toHaveAttribute("aria-sort", "descending");

  // A bookmarked address shows the same list.
  await page.reload();
  await expect.poll(firstNames).toEqual(["Zoe", "Yan", "Xia"]);
  await expect(page.getByLabel("Group")).toHaveValue("Cooks");
});

test("the export of a filter holds exactly those users, and checks back with no changes", async ({ page }) => {
  await signIn(page, admin);
  await expect(page).toHaveURL(/\/users$/);
  await page.goto("/users?group=Cooks");
  await expect(page.getByText("3 users match")).toBeVisible();
  const saved = page.waitForEvent("download");
  await page.getByRole("link", { name: "Export CSV" }).click();
  const csv = readFileSync(await (await saved).path(), "utf8");
  const rows = csv.trim().split(/\r?\n/).slice(1);
  expect(rows.map((r) => r.split(",")[1]).sort()).toEqual(["xia", "yan", "zoe"]);
  expect(csv).toContain("'=Chef"); // a formula cell is neutralised
  writeFileSync(".tmp/cooks-export.csv", csv);
  const report = JSON.parse(rosterCli(["check", "--tenant", "Acme", ".tmp/cooks-export.csv", "--json"]));
  expect(report.summary).toMatchObject({ added: 0, updated: 0, deleted: 0, unchanged: 3 });
});

test("a manager sees the list, read only, without exports", async ({ page }) => {
  const manager = { email: "max@acme.test", password: "Manager pass 2026" };
  rosterCli(["user", "create", "--tenant", "Acme", "--email", manager.email, "--last-name", "Max", "--access-level", "Manager"], `${manager.password}\n`);
  await signIn(page, manager);
  await expect(page).toHaveURL(/\/users$/);
  await expect(page.getByRole("table", { name: "Users" }).getByRole("cell", { name: "zoe@acme.test" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Export CSV" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: /delete|edit|block/i })).toHaveCount(0);
  await expect(page.getByRole("link", { name: "Add user" })).toHaveCount(0);
  await expect(page.getByRole("checkbox")).toHaveCount(0);
  // A user's page is read only for a manager: facts, no form, no buttons.
  await page.getByRole("table", { name: "Users" }).getByRole("link", { name: "zoe", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Zoe Adams" })).toBeVisible();
  await expect(page.getByText("Chef", { exact: true })).toBeVisible();
  await expect(page.getByRole("button")).toHaveCount(1); // Sign out
  await expect(page.getByRole("textbox")).toHaveCount(0);
});
