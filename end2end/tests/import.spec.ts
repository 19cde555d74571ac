import { expect, Page, test } from "@playwright/test";
import { readFileSync, writeFileSync } from "node:fs";
import { admin, rosterCli, signIn, user } from "./helpers";

// A panic in the WASM stops the page, and so does a script or worker that
// the Content-Security-Policy refuses: every test here fails on either.
const crashes: string[] = [];
test.beforeEach(({ page }) => {
  crashes.length = 0;
  page.on("pageerror", (error) => crashes.push(error.message));
  page.on("console", (m) => m.type() === "error" && /panicked|Content Security Policy/.test(m.text()) && crashes.push(m.text()));
});
test.afterEach(() => expect(crashes).toEqual([]));

/** Signs in and opens /import once the directory snapshot has arrived (the page is then live). */
async function openImport(page: Page) {
  await signIn(page, admin);
  await expect(page).toHaveURL(/\/users$/);
  await page.goto("/import");
  await expect(page.getByText(/Files are checked against your directory/)).toBeVisible();
}

function choose(page: Page, name: string, text: string) {
  return page.getByLabel("Spreadsheet").setInputFiles({ name, mimeType: "text/csv", buffer: Buffer.from(text) });
}

async function download(page: Page, button: string): Promise<Buffer> {
  const saved = page.waitForEvent("download");
  await page.getByRole("button", { name: button }).click();
  return readFileSync(await (await saved).path());
}

const importButton = (page: Page) => page.getByRole("button", { name: "Import", exact: true });
const preview = (page: Page) => page.getByRole("region", { name: "Preview" });
const problems = (page: Page) => page.getByRole("region", { name: /problems to fix|Users file is empty/ });

test("the template and the users download as valid files, in CSV and XLSX", async ({ page }) => {
  await openImport(page);
  const csv = (await download(page, "Download template")).toString("utf8");
  expect(csv.replace(/^\ufeff/, "").split(/\r?\n/)[0]).toBe(
    "Action,User ID,Email,First Name,Last Name,Title,Phone,Phone 2,Network Account,Password,Locale,Access Level,Active,Reports To,Roles,Groups,Task Notification,Notify If New,Tenant,Copy From,Copy Roles,Copy Groups",
  );
  expect((await download(page, "Download users")).toString("utf8")).toContain(admin.email);
  await page.getByLabel("Format").selectOption("xlsx");
  const xlsx = await download(page, "Download template");
  expect(xlsx.subarray(0, 2).toString()).toBe("PK");
});

test("a valid file previews what will change and imports it", async ({ page }) => {
  await openImport(page);
  await choose(page, "new.csv", "User ID,Email,First Name,Last Name,Roles\nivy,ivy@acme.test,Ivy,Ito,Pilots\njon,jon@acme.test,Jon,Jay,\n");
  await expect(preview(page).locator("dd").first()).toHaveText("2");
  await expect(preview(page)).toContainText("ivy · ivy@acme.test · Ivy Ito");
  await expect(preview(page).getByText("Roles to add (1)")).toBeVisible();
  await importButton(page).click();
  await expect(page.getByRole("status").filter({ hasText: "Users Loaded" })).toContainText(
    "Users Loaded successfully. 2 Added, 0 Updated, 0 Deleted, 1 Roles Added.",
  );
  const exported = rosterCli(["export", "--tenant", "Acme"]);
  expect(exported).toContain("ivy@acme.test");
  expect(exported).toContain("jon@acme.test");
  await page.getByRole("link", { name: "See this import in the history" }).click();
  await expect(page.getByRole("heading", { name: "Import of new.csv" })).toBeVisible();
});

test("a big file is checked in short steps: the page paints a moving progress bar while it checks", async ({ page }) => {
  await openImport(page);
  // A frame is painted only between tasks: progress seen between 0 and 1 in
  // a frame means the check handed the page turns on the way (BENCHMARKS.md
  // measures how long each turn's task is).
  await page.evaluate(() => {
    const seen: number[] = ((window as any).__progress = []);
    const sample = () => {
      const value = document.querySelector("progress")?.getAttribute("value");
      if (value) seen.push(Number(value));
      requestAnimationFrame(sample);
    };
    requestAnimationFrame(sample);
  });
  const rows = ["User ID,Email,Last Name,Phone,Notify If New"];
  for (let i = 0; i < 100_000; i++) rows.push(`big${i},big${i}@acme.test,Big,+44 20 7946 0000,TRUE`);
  await choose(page, "big.csv", rows.join("\n"));
  await expect(preview(page).locator("dd").first()).toHaveText("100000", { timeout: 60_000 });
  const seen: number[] = await page.evaluate(() => (window as any).__progress);
  const midway = new Set(seen.filter((value) => value > 0 && value < 1));
  expect(midway.size, `progress values painted: ${[...new Set(seen)].join(", ")}`).toBeGreaterThanOrEqual(3);
});

test("a file of more than a few megabytes is imported whole", async ({ page }) => {
  // Axum's own limit once refused every batch above 2 MB, which no smaller file showed.
  await openImport(page);
  const wide = (letter: string) => letter.repeat(100);
  const rows = ["User ID,Email,First Name,Last Name,Title"];
  for (let i = 0; i < 7_000; i++) rows.push(`wide${i},wide${i}@acme.test,${wide("F")},${wide("L")},${wide("T")}`);
  const csv = rows.join("\n");
  expect(csv.length).toBeGreaterThan(2_100_000);
  await choose(page, "wide.csv", csv);
  await expect(preview(page).locator("dd").first()).toHaveText("7000", { timeout: 30_000 });
  await importButton(page).click();
  await expect(page.getByRole("status").filter({ hasText: "Users Loaded" })).toContainText(
    "Users Loaded successfully. 7000 Added",
    { timeout: 30_000 },
  );
  // The other tests share the directory: these users go again.
  writeFileSync(".tmp/wide-delete.csv", ["Action,User ID,Email", ...rows.slice(1).map((_, i) => `delete,wide${i},`)].join("\n"));
  expect(rosterCli(["import", "--tenant", "Acme", "--as", admin.email, ".tmp/wide-delete.csv"])).toContain("7000 Deleted");
});

/** The page's own corrected-file download, in XLSX, of a CSV file chosen first. */
async function xlsxOf(page: Page, csv: string): Promise<Buffer> {
  await choose(page, "first.csv", csv);
  await expect(preview(page)).toBeVisible();
  await page.getByLabel("Format").selectOption("xlsx");
  return download(page, "Download corrected file");
}

const fallbackWarnings = (page: Page) => {
  const seen: string[] = [];
  page.on("console", (m) => m.text().includes("no reader worker") && seen.push(m.text()));
  return seen;
};

test("a workbook is read by a worker, off the page's thread", async ({ page }) => {
  const fallbacks = fallbackWarnings(page);
  await openImport(page);
  const xlsx = await xlsxOf(page, "User ID,Email,Last Name,Phone,Notify If New\nwk1,wk1@acme.test,Walker,+44 20 7946 0001,TRUE\n");
  await page.getByLabel("Spreadsheet").setInputFiles({ name: "worker.xlsx", mimeType: "application/octet-stream", buffer: xlsx });
  await expect(page.getByText("Reading…")).toBeHidden();
  await expect(preview(page).locator("dd").first()).toHaveText("1");
  await expect(preview(page)).toContainText("wk1 · wk1@acme.test");
  expect(page.workers().map((worker) => new URL(worker.url()).pathname)).toContain("/reader.js");
  expect(fallbacks, "the page read the workbook itself").toEqual([]);
});

test.describe("without the reader worker", () => {
  // No service worker, so that the blocked script cannot come from its cache.
  test.use({ serviceWorkers: "block" });

  test("the page reads a workbook itself", async ({ page }) => {
    const fallbacks = fallbackWarnings(page);
    await page.route("**/reader.js", (route) => route.abort());
    await openImport(page);
    const xlsx = await xlsxOf(page, "User ID,Email,Last Name,Phone,Notify If New\nfb1,fb1@acme.test,Fall,+44 20 7946 0002,TRUE\n");
    await page.getByLabel("Spreadsheet").setInputFiles({ name: "fallback.xlsx", mimeType: "application/octet-stream", buffer: xlsx });
    await expect(preview(page)).toContainText("fb1 · fb1@acme.test");
    expect(fallbacks).toHaveLength(1);
  });
});

test("every error is listed, Import stays disabled, and fixing the cells in the page makes the file valid", async ({ page }) => {
  await openImport(page);
  await choose(page, "bad.csv", "Email,Last Name,Phone,Password\nnot-an-email,Lee,12,\nkay@acme.test,,,short\n");
  await expect(problems(page).getByRole("heading")).toHaveText("4 problems to fix before importing");
  await expect(importButton(page)).toBeDisabled();
  await expect(problems(page).getByRole("row")).toHaveCount(5);
  await expect(page.getByLabel("Row 3, Password")).toHaveAttribute("type", "password");

  await problems(page).getByLabel("Problem").selectOption("invalid_email");
  await expect(problems(page).getByText("1 shown")).toBeVisible();
  await problems(page).getByLabel("Problem").selectOption("");

  const log = (await download(page, "Download error log")).toString("utf8");
  expect(log.split(/\r?\n/)[0]).toContain(",Error");
  expect(log).not.toContain("short");

  await page.getByLabel("Row 2, Email").fill("kim@acme.test");
  await page.getByLabel("Row 2, Email").press("Enter");
  await expect(problems(page).getByRole("heading")).toHaveText("3 problems to fix before importing");
  await page.getByLabel("Row 2, Phone").fill("+44 20 7946 0000");
  await page.getByLabel("Row 2, Phone").press("Enter");
  await expect(problems(page).getByRole("heading")).toHaveText("2 problems to fix before importing");
  await page.getByLabel("Row 3, Last Name").fill("Kay");
  await page.getByLabel("Row 3, Last Name").press("Enter");
  await expect(problems(page).getByRole("heading")).toHaveText("1 problems to fix before importing");
  await page.getByRole("button", { name: "Delete row 3" }).click();

  await expect(preview(page)).toContainText("kim@acme.test");
  await expect(importButton(page)).toBeEnabled();
  const corrected = (await download(page, "Download corrected file")).toString("utf8");
  expect(corrected).toContain("kim@acme.test,Lee,'+44 20 7946 0000"); // neutralised, read back as typed
  expect(corrected).not.toContain("kay@acme.test");
});

test("an unknown heading is mapped in the page, and the choice is remembered for the next file", async ({ page }) => {
  await openImport(page);
  await choose(page, "mapped.csv", "Email,Famly,Shoe size\nmap1@acme.test,Mapp,9\n");
  const headings = page.getByRole("region", { name: "Headings to map" });
  await expect(headings).toContainText("Famly is not a Roster column");
  await expect(importButton(page)).toBeDisabled();
  await headings.getByLabel("Map Famly").selectOption("Last Name");
  await headings.getByLabel("Map Shoe size").selectOption({ label: "Ignore" });
  await expect(preview(page)).toContainText("map1@acme.test");

  await choose(page, "mapped-again.csv", "Email,Famly,Shoe size\nmap2@acme.test,Mapp,10\n");
  await expect(preview(page)).toContainText("map2@acme.test");
  await expect(page.getByLabel("Map Famly")).toHaveValue("Last Name");
});

test("a preview made stale by another admin's change is refused until it is checked again", async ({ page }) => {
  await openImport(page);
  await choose(page, "title.csv", `Email,Last Name,Title\n${user.email},Park,Pilot\n`);
  await expect(preview(page).getByText("Users to update (1)")).toBeVisible();

  writeFileSync(".tmp/meanwhile.csv", `Email,Last Name,Title\n${user.email},Park,Captain\n`);
  rosterCli(["import", "--tenant", "Acme", "--as", admin.email, ".tmp/meanwhile.csv"]);

  await importButton(page).click();
  const refusal = page.getByRole("alert").filter({ hasText: "directory changed" });
  await expect(refusal).toContainText("Check the file again");
  expect(rosterCli(["export", "--tenant", "Acme"])).toContain("Captain");
  await refusal.getByRole("button", { name: "Check again" }).click();
  await expect(preview(page)).toContainText("Title: Captain → Pilot");
  await importButton(page).click();
  await expect(page.getByRole("status").filter({ hasText: "Users Loaded" })).toContainText("0 Added, 1 Updated");
});

test("an empty file says so", async ({ page }) => {
  await openImport(page);
  await choose(page, "empty.csv", "Email,Last Name\n");
  await expect(problems(page).getByRole("heading")).toHaveText("Users file is empty");
  await expect(importButton(page)).toBeDisabled();
});

test("offline: the page reopens with no network, checks and fixes a file against the saved directory, and imports once back online", async ({ page, context }) => {
  await openImport(page);
  await page.evaluate(() => navigator.serviceWorker.ready);
  // The service worker keeps what the page loads from now on.
  await page.reload();
  await expect(page.getByText(/Files are checked against your directory as of/)).toBeVisible();

  await context.setOffline(true);
  await page.reload();
  await expect(page.getByText(/copy of your directory saved/)).toBeVisible();
  await choose(page, "offline.csv", "Email,Last Name\nno-at-sign,Off\nofl@acme.test,Line\n");
  await expect(problems(page).getByRole("heading")).toHaveText("1 problems to fix before importing");
  await page.getByLabel("Row 2, Email").fill("off@acme.test");
  await page.getByLabel("Row 2, Email").press("Enter");
  await expect(preview(page)).toContainText("off@acme.test");
  await importButton(page).click();
  await expect(page.getByRole("alert")).toContainText("Importing needs a connection");

  await context.setOffline(false);
  await importButton(page).click();
  await expect(page.getByRole("status").filter({ hasText: "Users Loaded" })).toContainText("2 Added, 0 Updated");

  // Signing out leaves nothing of the session in the browser's caches
  // (the public WASM and styles of the sign-in page may be kept again).
  const kept = () =>
    page.evaluate(async () => {
      const paths: string[] = [];
      for (const name of await caches.keys()) {
        for (const request of await (await caches.open(name)).keys()) paths.push(new URL(request.url).pathname);
      }
      return paths.filter((path) => !path.startsWith("/pkg/") && path !== "/favicon.svg");
    });
  expect(await kept()).toContain("/import");
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login$/);
  await expect.poll(kept).toEqual([]);
});
