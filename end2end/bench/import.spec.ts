import { expect, Page, test } from "@playwright/test";
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { gzipSync } from "node:zlib";
import { rosterCli } from "../tests/helpers";

const admin = { email: "bea@bench.test", password: "Bench pass 2026" };
const results: Record<string, number | string> = {};

function users(count: number, from = 0): string {
  const rows = ["User ID,Email,First Name,Last Name,Title,Phone,Access Level,Active,Roles"];
  for (let i = from; i < from + count; i++) {
    rows.push(`u${i},u${i}@bench.test,First${i},Last${i},Engineer,+44 20 7946 0000,User,TRUE,Staff`);
  }
  return rows.join("\n") + "\n";
}

/** From the file input's change event to the preview on screen, measured in the page. */
async function timeToPreview(page: Page, path: string): Promise<number> {
  await page.evaluate(() => ((window as any).__bench = { long: [] }));
  await page.getByLabel("Spreadsheet").setInputFiles(path);
  const handle = await page.waitForFunction(
    () => {
      const bench = (window as any).__bench;
      return document.querySelector("#preview-title") && bench.start ? performance.now() - bench.start : null;
    },
    null,
    { polling: "raf", timeout: 300_000 },
  );
  return Math.round((await handle.jsonValue()) as number);
}

async function longTasks(page: Page): Promise<number[]> {
  return page.evaluate(() => (window as any).__bench.long.map((d: number) => Math.round(d)));
}

test("import page: time to preview, Papa Parse, long tasks, bundle sizes", async ({ page, browser }) => {
  rosterCli(["tenant", "create", "Bench"]);
  rosterCli(["admin", "create", "--tenant", "Bench", "--email", admin.email, "--last-name", "Bench"], `${admin.password}\n`);
  await page.addInitScript(() => {
    (window as any).__bench = { long: [] };
    document.addEventListener("change", (e) => {
      if ((e.target as HTMLElement).id === "spreadsheet") (window as any).__bench.start = performance.now();
    }, true);
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) (window as any).__bench?.long.push(entry.duration);
    }).observe({ type: "longtask" });
  });
  await page.goto("/login");
  await page.getByLabel("Email").fill(admin.email);
  await page.getByLabel("Password", { exact: true }).fill(admin.password);
  await expect(async () => {
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/\/users$/, { timeout: 1000 });
  }).toPass();
  await page.goto("/import");
  await expect(page.getByText(/Files are checked against your directory as of/)).toBeVisible();

  const csv100k = users(100_000);
  writeFileSync(".tmp/bench-100k.csv", csv100k);
  results.csv_100k_ms = await timeToPreview(page, ".tmp/bench-100k.csv");
  const tasks = await longTasks(page);
  results.csv_100k_long_tasks = tasks.length;
  results.csv_100k_longest_task_ms = Math.max(0, ...tasks);

  // Papa Parse, bare parsing of the same text in the same page.
  const papa = createRequire(__filename).resolve("papaparse/papaparse.min.js");
  await page.addScriptTag({ path: papa });
  results.papaparse_100k_ms = await page.evaluate((text) => {
    const start = performance.now();
    (window as any).Papa.parse(text, { skipEmptyLines: true });
    return Math.round(performance.now() - start);
  }, csv100k);
  results.ratio_roster_to_papaparse = (Number(results.csv_100k_ms) / Number(results.papaparse_100k_ms)).toFixed(2);

  // The organisation's own columns: the same 100,000 new users with five of
  // them (two booleans, a choice, a date, a unique text), in an organisation
  // that defines them, against the file without them, by turns.
  rosterCli(["tenant", "create", "Bench Own"]);
  rosterCli(["admin", "create", "--tenant", "Bench Own", "--email", "own@bench.test", "--last-name", "Bench"], `${admin.password}\n`);
  for (const args of [["--kind", "boolean", "Lone Working"], ["--kind", "boolean", "Events"], ["--kind", "choice", "--choices", "Head Office|Field|Remote", "Default Context"], ["--kind", "date", "Start Date"], ["--kind", "text", "--unique", "Employee Number"]]) {
    rosterCli(["column", "create", "--tenant", "Bench Own", ...args]);
  }
  const plainRows = users(100_000, 200_000).trimEnd().split("\n");
  const contexts = ["Head Office", "Field", "Remote"];
  const ownRows = plainRows.map((row, i) =>
    i === 0 ? `${row},Lone Working,Events,Default Context,Start Date,Employee Number` : `${row},${i % 2 ? "TRUE" : "FALSE"},${i % 3 ? "FALSE" : "TRUE"},${contexts[i % 3]},20${String(i % 30).padStart(2, "0")}-0${(i % 9) + 1}-1${i % 9},E${i}`,
  );
  writeFileSync(".tmp/bench-plain-100k.csv", plainRows.join("\n") + "\n");
  writeFileSync(".tmp/bench-own-100k.csv", ownRows.join("\n") + "\n");
  const ownPage = await (await browser.newContext()).newPage();
  await ownPage.goto("/login");
  await ownPage.getByLabel("Email").fill("own@bench.test");
  await ownPage.getByLabel("Password", { exact: true }).fill(admin.password);
  await expect(async () => {
    await ownPage.getByRole("button", { name: "Sign in" }).click();
    await expect(ownPage).toHaveURL(/\/users$/, { timeout: 1000 });
  }).toPass();
  await ownPage.addInitScript(() => {
    (window as any).__bench = { long: [] };
    document.addEventListener("change", (e) => {
      if ((e.target as HTMLElement).id === "spreadsheet") (window as any).__bench.start = performance.now();
    }, true);
  });
  await ownPage.goto("/import");
  await expect(ownPage.getByText(/Files are checked against your directory as of/)).toBeVisible();
  const plainTimes: number[] = [];
  const ownTimes: number[] = [];
  for (let turn = 0; turn < 3; turn++) {
    plainTimes.push(await timeToPreview(page, ".tmp/bench-plain-100k.csv"));
    ownTimes.push(await timeToPreview(ownPage, ".tmp/bench-own-100k.csv"));
  }
  results.csv_100k_plain_by_turns_ms = plainTimes.join(" ");
  results.csv_100k_own_columns_by_turns_ms = ownTimes.join(" ");
  const median = (list: number[]) => [...list].sort((a, b) => a - b)[1];
  results.ratio_own_columns_to_plain = (median(ownTimes) / median(plainTimes)).toFixed(2);

  writeFileSync(".tmp/bench-1m.csv", users(1_000_000));
  results.csv_1m_ms = await timeToPreview(page, ".tmp/bench-1m.csv");
  results.csv_1m_longest_task_ms = Math.max(0, ...(await longTasks(page)));

  // XLSX: the same 100,000 users exported after importing them, checked
  // against a directory that holds them (all unchanged).
  rosterCli(["import", "--tenant", "Bench", "--as", admin.email, ".tmp/bench-100k.csv"]);
  rosterCli(["export", "--tenant", "Bench", "--format", "xlsx", "--output", ".tmp/bench-100k.xlsx"]);
  await page.reload();
  await expect(page.getByText(/Files are checked against your directory as of .*100001 users/)).toBeVisible();
  // Opening the page with that directory: fetched, decoded and saved; then
  // again, with the saved copy of it decoded first.
  for (const visit of ["first", "again"]) {
    if (visit === "again") await page.reload();
    await expect(page.getByText(/Files are checked against your directory as of .*100001 users/)).toBeVisible();
    await page.waitForTimeout(2000);
    results[`open_100k_users_${visit}_long_tasks_ms`] = (await longTasks(page)).join(" ") || "none";
  }
  results.xlsx_100k_ms = await timeToPreview(page, ".tmp/bench-100k.xlsx");
  results.xlsx_100k_longest_task_ms = Math.max(0, ...(await longTasks(page)));

  for (const file of ["roster.wasm", "roster.js", "roster.css"]) {
    results[`gzip_${file}_bytes`] = gzipSync(readFileSync(`../target/site/pkg/${file}`), { level: 9 }).length;
  }
  console.log(JSON.stringify(results, null, 2));
  writeFileSync(".tmp/bench.json", JSON.stringify(results, null, 2));
});
