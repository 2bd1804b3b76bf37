import { expect, test } from "@playwright/test";
import { PASSWORD, registerViaApi, signIn, watchConsole } from "./helpers";

// scripts/e2e.sh runs the reminder scheduler every 2 seconds.

test("a task coming due reminds its assignee live, and the reminder leads to the task", async ({ page, request }) => {
  const errors = watchConsole(page);
  const { email: address, id } = await registerViaApi(request, "Rémi Reminded");
  const token = await request.post("/api/v1/auth/token", {
    form: { grant_type: "password", username: address, password: PASSWORD },
  });
  const headers = { Authorization: `Bearer ${(await token.json()).access_token}` };
  const project = await (await request.post("/api/v1/projects", { headers, data: { name: "Deadlines" } })).json();

  await signIn(page, address);
  await expect(page.getByRole("link", { name: /Notifications/ })).not.toContainText(/\d/);

  // Due in 20 minutes: within the hour, so the next run reminds the assignee.
  const due = new Date(Date.now() + 20 * 60 * 1000).toISOString();
  const task = await request.post(`/api/v1/projects/${project.id}/tasks`, {
    headers,
    data: { title: "File the quarterly report", due_at: due, assignee_ids: [id] },
  });
  expect(task.status()).toBe(201);

  // The badge counts it without a reload.
  await expect(page.getByLabel(/\d+ unread/)).toBeVisible({ timeout: 10_000 });
  await page.getByRole("link", { name: /Notifications/ }).click();
  const reminder = page.getByRole("link", { name: "“File the quarterly report” is due soon" });
  await expect(reminder).toBeVisible();
  await reminder.click();
  await expect(page.getByRole("heading", { name: "File the quarterly report" })).toBeVisible();
  expect(errors).toEqual([]);
});

test("each person chooses in Settings how long ahead to be reminded", async ({ page, request }) => {
  const errors = watchConsole(page);
  const { email: address } = await registerViaApi(request, "Lea Lead");
  await signIn(page, address);
  await page.goto("/settings");
  const lead = page.getByLabel("Remind me before a task is due");
  await expect(lead).toHaveValue("60");
  await lead.selectOption({ label: "1 day" });
  // Saving reloads the page; once it has, the choice must come back from the server.
  const saved = page.waitForResponse((r) => r.url().includes("/rpc/") && r.request().method() === "POST");
  const reloaded = page.waitForEvent("framenavigated");
  await page.getByRole("button", { name: "Save" }).click();
  expect((await saved).status()).toBe(200);
  await reloaded;
  await page.waitForLoadState("load");
  await expect(page.getByLabel("Remind me before a task is due")).toHaveValue("1440");
  const token = await request.post("/api/v1/auth/token", {
    form: { grant_type: "password", username: address, password: PASSWORD },
  });
  const me = await request.get("/api/v1/me", { headers: { Authorization: `Bearer ${(await token.json()).access_token}` } });
  expect((await me.json()).reminder_lead_minutes).toBe(1440);
  expect(errors).toEqual([]);
});
