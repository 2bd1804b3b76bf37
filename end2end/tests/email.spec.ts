import * as fs from "node:fs";
import * as path from "node:path";
import { expect, test } from "@playwright/test";
import { apiUser, expectNoHorizontalScroll, registerViaApi, signIn, waitForHydration, watchConsole } from "./helpers";

// scripts/e2e.sh runs a real SMTP server; each message it takes is a JSON file here.
type Mail = { rcpt_tos: string[]; subject: string; text: string; html: string };

function inbox(address: string): Mail[] {
  const dir = process.env.TANDEM_E2E_MAIL_DIR;
  if (!dir) throw new Error("TANDEM_E2E_MAIL_DIR is not set: run the tests through scripts/e2e.sh");
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")) as Mail)
    .filter((m) => m.rcpt_tos.includes(address));
}

const COMMENTS_BY_EMAIL = "A task you created, are assigned or watch gets a comment: By email";

/** Clicks "Save notifications" and waits for the server's answer. */
async function save(page: import("@playwright/test").Page): Promise<void> {
  const saved = page.waitForResponse((r) => r.url().includes("/rpc/") && r.request().method() === "POST");
  await page.getByRole("button", { name: "Save notifications" }).click();
  expect((await saved).status()).toBe(200);
  await expect(page.getByRole("status").filter({ hasText: "Saved." })).toBeVisible();
}

test("email for comments is chosen in Settings, and the next comment reaches the inbox", async ({ page, request }) => {
  const errors = watchConsole(page);
  const ada = await apiUser(request, "Ada Author");
  const bob = await registerViaApi(request, "Bob Reader");
  const project = await (await request.post("/api/v1/projects", { headers: ada.headers, data: { name: "Mail" } })).json();
  const added = await request.post(`/api/v1/projects/${project.id}/members`, {
    headers: ada.headers,
    data: { email: bob.email, role: "member" },
  });
  expect(added.status()).toBe(201);
  const task = await (
    await request.post(`/api/v1/projects/${project.id}/tasks`, {
      headers: ada.headers,
      data: { title: "Proofread the newsletter", assignee_ids: [bob.id] },
    })
  ).json();
  // Assignments come by email unless one says otherwise.
  await expect.poll(() => inbox(bob.email).map((m) => m.subject), { timeout: 10_000 }).toEqual([
    "Ada Author assigned you “Proofread the newsletter”",
  ]);

  await signIn(page, bob.email);
  await page.goto("/settings");
  await waitForHydration(page);
  const comments = page.getByRole("checkbox", { name: COMMENTS_BY_EMAIL });
  await expect(comments).not.toBeChecked();
  await comments.check();
  await page.getByRole("checkbox", { name: "Hold emails and pushes during quiet hours" }).check();
  await page.getByLabel("From", { exact: true }).fill("23:30");
  await page.getByLabel("To", { exact: true }).fill("06:15");
  await save(page);

  await page.reload();
  await waitForHydration(page);
  await expect(page.getByRole("checkbox", { name: COMMENTS_BY_EMAIL })).toBeChecked();
  await expect(page.getByLabel("From", { exact: true })).toHaveValue("23:30");
  await expect(page.getByLabel("To", { exact: true })).toHaveValue("06:15");

  // Quiet hours off again, so that the comment goes out now whatever the time.
  await page.getByRole("checkbox", { name: "Hold emails and pushes during quiet hours" }).uncheck();
  await save(page);

  const comment = await request.post(`/api/v1/tasks/${task.id}/comments`, {
    headers: ada.headers,
    data: { body: "Second paragraph needs work" },
  });
  expect(comment.status()).toBe(201);
  await expect
    .poll(() => inbox(bob.email).map((m) => m.subject), { timeout: 10_000 })
    .toContain("Ada Author commented on “Proofread the newsletter”");
  const mail = inbox(bob.email).find((m) => m.subject.startsWith("Ada Author commented"))!;
  expect(mail.text).toContain(`/tasks/${task.id}`);
  expect(mail.html).toContain(`/tasks/${task.id}`);
  expect(errors).toEqual([]);
});

test("the notification settings fit a phone and turn a kind off entirely", async ({ page, request }) => {
  const errors = watchConsole(page);
  await page.setViewportSize({ width: 375, height: 800 });
  const { email: address } = await registerViaApi(request, "Pia Phone");
  await signIn(page, address);
  await page.goto("/settings");
  await waitForHydration(page);
  await expect(page.getByRole("table")).toBeVisible();
  await expectNoHorizontalScroll(page);
  // Keyboard only: tab to the first checkbox of the "changed" row and toggle it with space.
  const changedInApp = page.getByRole("checkbox", { name: "A task you created, are assigned or watch is changed: In the app" });
  await changedInApp.focus();
  await page.keyboard.press("Space");
  await expect(changedInApp).not.toBeChecked();
  await save(page);
  const token = await request.post("/api/v1/auth/token", {
    form: { grant_type: "password", username: address, password: "correct horse battery" },
  });
  const me = await request.get("/api/v1/me", { headers: { Authorization: `Bearer ${(await token.json()).access_token}` } });
  expect((await me.json()).notifications.events.task_updated).toEqual([]);
  expect(errors).toEqual([]);
});
