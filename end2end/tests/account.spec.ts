import { expect, test } from "@playwright/test";
import { apiUser, PASSWORD, registerViaApi, signIn, waitForHydration, watchConsole } from "./helpers";

test("settings: make a read-only token, revoke it, sign out elsewhere, change the password", async ({ page, request, browser }) => {
  const errors = watchConsole(page);
  const { email } = await registerViaApi(request, "Tokenmaker");
  await signIn(page, email);
  // A second browser, signed in too, looking at the projects page.
  const laptop = await browser.newContext();
  const other = await laptop.newPage();
  await signIn(other, email);
  await expect(other.locator(".link-live")).toBeVisible();
  // Another device, signed in through the token endpoint.
  const elsewhere = await request.post("/api/v1/auth/token", {
    form: { grant_type: "password", username: email, password: PASSWORD },
  });
  const elsewhereToken = (await elsewhere.json()).access_token as string;

  await page.goto("/settings");
  await waitForHydration(page);
  const access = page.getByRole("region", { name: "Devices and tokens" });
  await expect(access.getByText("This device")).toBeVisible();
  await expect(access.getByText("Token from sign-in", { exact: true })).toBeVisible();
  await expect(access.getByText(/Browser · /)).toHaveCount(2);

  const form = page.getByRole("form", { name: "New API token" });
  await form.getByLabel("Token name").fill("Dashboard");
  await form.getByLabel("Access").selectOption("read");
  await form.getByLabel("Expires after (days)").fill("30");
  await form.getByRole("button", { name: "Create token" }).click();
  const shown = form.getByLabel("New token");
  await expect(shown).toBeVisible();
  const token = await shown.inputValue();
  expect(token.length).toBeGreaterThan(30);
  await expect(access.getByText("Dashboard", { exact: true })).toBeVisible();
  await expect(access.getByText(/read only/)).toBeVisible();

  const bearer = { Authorization: `Bearer ${token}` };
  expect((await request.get("/api/v1/me", { headers: bearer })).status()).toBe(200);
  expect((await request.post("/api/v1/projects", { headers: bearer, data: { name: "nope" } })).status()).toBe(403);

  await access.getByRole("button", { name: "Revoke Dashboard" }).click();
  await expect(access.getByText("Dashboard", { exact: true })).toHaveCount(0);
  expect((await request.get("/api/v1/me", { headers: bearer })).status()).toBe(401);

  await access.getByRole("button", { name: "Sign out everywhere else" }).click();
  await expect(access.getByText("Token from sign-in", { exact: true })).toHaveCount(0);
  // The other browser learns at once over its live connection and is asked to sign in.
  await expect(other).toHaveURL(/\/login$/);
  await laptop.close();
  expect((await request.get("/api/v1/me", { headers: { Authorization: `Bearer ${elsewhereToken}` } })).status()).toBe(401);

  const password = page.getByRole("form", { name: "Change password" });
  await password.getByLabel("Current password").fill("not my password");
  await password.getByLabel("New password").fill("a brand new password");
  await password.getByRole("button", { name: "Change password" }).click();
  await expect(password.getByText("is not your current password")).toBeVisible();
  await password.getByLabel("Current password").fill(PASSWORD);
  await password.getByRole("button", { name: "Change password" }).click();
  await expect(password.getByText("Password changed.")).toBeVisible();
  const oldPassword = await request.post("/api/v1/auth/token", {
    form: { grant_type: "password", username: email, password: PASSWORD },
  });
  expect(oldPassword.status()).toBe(401);
  // This browser stays signed in.
  await page.reload();
  await expect(page.getByRole("heading", { name: "Settings" })).toBeVisible();
  // The one failed request was the wrong current password, answered 422 on purpose.
  expect(errors.filter((e) => !e.includes("status of 422"))).toEqual([]);
});

test("accounts page: an admin disables and enables an account; members cannot open it", async ({ page, request }) => {
  const errors = watchConsole(page);
  const adminEmail = process.env.TANDEM_E2E_ADMIN_EMAIL;
  const adminPassword = process.env.TANDEM_E2E_ADMIN_PASSWORD;
  expect(adminEmail, "scripts/e2e.sh makes an admin").toBeTruthy();
  const member = await apiUser(request, "Mallory Member");

  await page.goto("/login");
  await waitForHydration(page);
  await page.getByLabel("Email").fill(adminEmail!);
  await page.getByLabel("Password").fill(adminPassword!);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("link", { name: "Accounts" }).click();
  await expect(page.getByRole("heading", { name: "Accounts", level: 1 })).toBeVisible();
  await waitForHydration(page);
  const row = page.getByRole("row").filter({ hasText: member.email });
  await expect(row.getByRole("cell", { name: "Active" })).toBeVisible();

  await row.getByRole("button", { name: "Disable: Mallory Member" }).click();
  await expect(row.getByRole("cell", { name: "Disabled" })).toBeVisible();
  expect((await request.get("/api/v1/me", { headers: member.headers })).status()).toBe(401);
  const again = await request.post("/api/v1/auth/token", {
    form: { grant_type: "password", username: member.email, password: PASSWORD },
  });
  expect(again.status()).toBe(403);

  await row.getByRole("button", { name: "Enable: Mallory Member" }).click();
  await expect(row.getByRole("cell", { name: "Active" })).toBeVisible();
  const back = await request.post("/api/v1/auth/token", {
    form: { grant_type: "password", username: member.email, password: PASSWORD },
  });
  expect(back.status()).toBe(200);

  // A member sees no link and, going there anyway, a refusal.
  await page.context().clearCookies();
  await signIn(page, member.email);
  await expect(page.getByRole("link", { name: "Accounts" })).toHaveCount(0);
  await page.goto("/admin");
  await expect(page.getByText("Only instance admins manage accounts.")).toBeVisible();
  expect(errors.filter((e) => !e.includes("403"))).toEqual([]);
});
