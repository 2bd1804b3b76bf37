import { expect, type APIRequestContext, type Page } from "@playwright/test";

export const PASSWORD = "correct horse battery";

/** A unique email per run, so tests never collide on one database. */
export function email(name: string): string {
  const local = name.toLowerCase().replace(/[^a-z0-9]+/g, "") || "user";
  return `${local}.${Date.now()}.${Math.floor(Math.random() * 1e6)}@example.com`;
}

/** Registers through the public API (for people a test needs but does not sign up in the UI). */
export async function registerViaApi(request: APIRequestContext, name: string): Promise<{ email: string; id: string }> {
  const address = email(name);
  const r = await request.post("/api/v1/auth/register", { data: { email: address, name, password: PASSWORD } });
  expect(r.status()).toBe(201);
  const body = await r.json();
  return { email: address, id: body.user.id };
}

/** Registers through the public API and takes a bearer token, for changes made "elsewhere". */
export async function apiUser(
  request: APIRequestContext,
  name: string,
): Promise<{ email: string; headers: { Authorization: string } }> {
  const { email: address } = await registerViaApi(request, name);
  const token = await request.post("/api/v1/auth/token", {
    form: { grant_type: "password", username: address, password: PASSWORD },
  });
  expect(token.status()).toBe(200);
  return { email: address, headers: { Authorization: `Bearer ${(await token.json()).access_token}` } };
}

/** Fails the test on any console error or uncaught exception in the page. */
export function watchConsole(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(String(e)));
  return errors;
}

/** The hydrated app has attached its event handlers once the WASM has run. */
export async function waitForHydration(page: Page): Promise<void> {
  await page.locator("body[data-hydrated=true]").waitFor({ state: "attached", timeout: 15_000 });
}

export async function signIn(page: Page, address: string): Promise<void> {
  await page.goto("/login");
  await waitForHydration(page);
  await page.getByLabel("Email").fill(address);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Projects", level: 1 })).toBeVisible();
}

export async function expectNoHorizontalScroll(page: Page): Promise<void> {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow, "page scrolls sideways").toBeLessThanOrEqual(0);
}
