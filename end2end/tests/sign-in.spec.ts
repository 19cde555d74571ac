import { expect, test } from "@playwright/test";
import { admin, mainNav, signIn, user, waitForHydration } from "./helpers";

test("the release page hydrates without errors", async ({ page }) => {
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(error.message));
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(message.text());
  });
  await page.goto("/login");
  await waitForHydration(page);
  await expect(page.getByLabel("Password", { exact: true })).toHaveAttribute("type", "password");
  await page.getByRole("button", { name: "Show password" }).click();
  await expect(page.getByLabel("Password", { exact: true })).toHaveAttribute("type", "text");
  expect(problems).toEqual([]);
});

test("a wrong password is refused with a message and no session", async ({ page }) => {
  await signIn(page, { email: admin.email, password: "not the password 1" });
  await expect(page.getByRole("alert")).toHaveText("The e-mail address or password is wrong.");
  await expect(page).toHaveURL(/\/login$/);
  await page.goto("/users");
  await expect(page).toHaveURL(/\/login$/);
});

test("an admin signs in, sees the whole navigation, and signs out", async ({ page }) => {
  await signIn(page, admin);
  await expect(page).toHaveURL(/\/users$/);
  for (const name of ["Users", "Import", "History", "Groups", "Profile"]) {
    await expect(mainNav(page).getByRole("link", { name })).toBeVisible();
  }
  await mainNav(page).getByRole("link", { name: "Import" }).click();
  await expect(page.getByRole("heading", { name: "Import users" })).toBeVisible();

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto("/import");
  await expect(page).toHaveURL(/\/login$/);
});

test("a user signs in (e-mail in any case), sees only their profile, and cannot open Import", async ({ page }) => {
  await signIn(page, { email: user.email.toUpperCase(), password: user.password });
  await expect(page).toHaveURL(/\/profile$/);
  await expect(page.getByText(user.email).first()).toBeVisible();
  await expect(mainNav(page).getByRole("link", { name: "Import" })).toHaveCount(0);
  await expect(mainNav(page).getByRole("link", { name: "Users" })).toHaveCount(0);

  await page.goto("/import");
  await expect(page.getByRole("heading", { name: "No access" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Import users" })).toHaveCount(0);
});

test("the sign-in page works on a phone-sized screen", async ({ page }) => {
  await page.setViewportSize({ width: 375, height: 740 });
  await signIn(page, admin);
  await expect(page).toHaveURL(/\/users$/);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(width).toBeLessThanOrEqual(375);
});

test.describe("before the WASM arrives", () => {
  // The first page must not wait for the engine: the sign-in form is plain
  // HTML that posts to the server, so it works with no script at all.
  test.use({ javaScriptEnabled: false });

  test("an admin signs in with no script running", async ({ page }) => {
    await page.goto("/login");
    await page.getByLabel("Email").fill(admin.email);
    await page.getByLabel("Password", { exact: true }).fill(admin.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/\/users$/);
    await expect(mainNav(page).getByRole("link", { name: "Import" })).toBeVisible();
  });
});
