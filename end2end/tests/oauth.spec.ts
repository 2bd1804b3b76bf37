import { expect, test, type Page } from "@playwright/test";
import { PASSWORD, email, signIn, registerViaApi, waitForHydration, watchConsole } from "./helpers";

// scripts/e2e.sh runs a real OpenID Connect provider (oidc-provider) on loopback and
// offers it as "Local ID". Its development sign-in form takes any login name; the
// account's email is <login>@example.test.

// The provider's pages import a web font; offline, that request would fail noisily.
test.beforeEach(async ({ page }) => {
  await page.route(/fonts\.googleapis\.com/, (route) => route.fulfill({ status: 200, contentType: "text/css", body: "" }));
  // The provider's avatars, served as a 1×1 picture.
  await page.route(/avatars\.example\.test/, (route) =>
    route.fulfill({ status: 200, contentType: "image/gif", body: Buffer.from("R0lGODlhAQABAAAAACw=", "base64") }),
  );
});

function login(name: string): string {
  return `${name}${Date.now()}${Math.floor(Math.random() * 1e4)}`;
}

/** At the provider: fill its sign-in form, then allow Tandem on its consent page. */
async function atProvider(page: Page, name: string): Promise<void> {
  await page.locator('input[name="login"]').fill(name);
  await page.locator('input[name="password"]').fill("anything");
  await page.locator('button[type="submit"]').click();
  await page.getByRole("button", { name: "Continue" }).click();
}

test("sign in with the provider and come back signed in, then see it in Settings", async ({ page }) => {
  const errors = watchConsole(page);
  const name = login("kim");
  await page.goto("/login");
  await waitForHydration(page);
  await page.getByRole("link", { name: "Sign in with Local ID" }).click();
  await atProvider(page, name);

  await expect(page.getByRole("heading", { name: "Projects", level: 1 })).toBeVisible();
  await page.goto("/settings");
  const methods = page.getByRole("region", { name: "Sign-in methods" });
  await expect(methods.getByText(`${name}@example.test`)).toBeVisible();
  // The only way in cannot be disconnected.
  await expect(methods.getByRole("button", { name: "Disconnect Local ID" })).toBeDisabled();
  await expect(page.getByRole("textbox", { name: "Name", exact: true })).toHaveValue(`Tester ${name}`);
  // The provider's picture became the account's.
  await expect(page.locator("img.avatar")).toHaveAttribute("src", `https://avatars.example.test/${name}.png`);
  expect(errors).toEqual([]);
});

test("a deep link survives a provider sign-in", async ({ page }) => {
  await page.goto("/settings");
  await expect(page).toHaveURL(/\/login\?next=%2Fsettings/);
  await waitForHydration(page);
  await page.getByRole("link", { name: "Sign in with Local ID" }).click();
  await atProvider(page, login("deep"));
  await expect(page).toHaveURL(/\/settings$/);
  await expect(page.getByRole("heading", { name: "Settings" })).toBeVisible();
});

test("a cancelled or tampered sign-in lands on a page that says what happened", async ({ page }) => {
  const errors = watchConsole(page);
  await page.goto("/login");
  await waitForHydration(page);
  await page.getByRole("link", { name: "Sign in with Local ID" }).click();
  await page.locator('input[name="login"]').fill(login("quitter"));
  await page.locator('input[name="password"]').fill("anything");
  await page.locator('button[type="submit"]').click();
  await page.getByRole("link", { name: /abort|cancel/i }).click();
  await expect(page).toHaveURL(/\/login\?error=denied/);
  await expect(page.getByRole("alert")).toContainText("did not let you sign in");

  await page.goto("/auth/local/callback?state=forged&code=forged");
  await expect(page).toHaveURL(/\/login\?error=invalid_state/);
  await expect(page.getByRole("alert")).toContainText("already used or started in another browser");
  // Still signed out.
  await page.goto("/settings");
  await expect(page).toHaveURL(/\/login/);
  expect(errors).toEqual([]);
});

test("a password account connects the provider in Settings and then signs in with it", async ({ page, request }) => {
  const { email: address } = await registerViaApi(request, "Linker");
  await signIn(page, address);
  await page.goto("/settings");
  await waitForHydration(page);
  const name = login("linker");
  await page.getByRole("link", { name: "Connect Local ID" }).click();
  await atProvider(page, name);
  await expect(page).toHaveURL(/\/settings$/);
  const methods = page.getByRole("region", { name: "Sign-in methods" });
  await expect(methods.getByText(`${name}@example.test`)).toBeVisible();
  // With a password too, the identity may be disconnected; it stays for the next step.
  await expect(methods.getByRole("button", { name: "Disconnect Local ID" })).toBeEnabled();

  await page.context().clearCookies();
  await page.goto("/login");
  await waitForHydration(page);
  await page.getByRole("link", { name: "Sign in with Local ID" }).click();
  await atProvider(page, name);
  await expect(page.getByRole("heading", { name: "Projects", level: 1 })).toBeVisible();
  await page.goto("/settings");
  await expect(page.getByText(address)).toBeVisible();
});

test("a provider email that belongs to a password account does not sign in to it", async ({ page, request }) => {
  const name = login("taken");
  const r = await request.post("/api/v1/auth/register", {
    data: { email: `${name}@example.test`, name: "Owner", password: PASSWORD },
  });
  expect(r.status()).toBe(201);
  await page.goto("/login");
  await waitForHydration(page);
  await page.getByRole("link", { name: "Sign in with Local ID" }).click();
  await atProvider(page, name);
  await expect(page).toHaveURL(/\/login\?error=email_in_use/);
  await expect(page.getByRole("alert")).toContainText("Sign in the way you did before, then connect");
  void email;
});
