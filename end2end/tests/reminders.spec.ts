import { expect, test } from "@playwright/test";
import { PASSWORD, registerViaApi, signIn, waitForHydration, watchConsole } from "./helpers";

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

test("each person chooses in Settings how long ahead to be reminded, at several lead times", async ({ page, request }) => {
  const errors = watchConsole(page);
  const { email: address } = await registerViaApi(request, "Lea Lead");
  await signIn(page, address);
  await page.goto("/settings");
  const leads = page.getByRole("group", { name: "Remind me before a task is due" });
  await expect(leads.getByLabel("1 hour", { exact: true })).toBeChecked();
  await expect(leads.getByLabel("1 day", { exact: true })).not.toBeChecked();
  await leads.getByLabel("1 day", { exact: true }).check();
  // Saving reloads the page; once it has, the choice must come back from the server.
  const saved = page.waitForResponse((r) => r.url().includes("/rpc/") && r.request().method() === "POST");
  const reloaded = page.waitForEvent("framenavigated");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  expect((await saved).status()).toBe(200);
  await reloaded;
  await page.waitForLoadState("load");
  const saved_leads = page.getByRole("group", { name: "Remind me before a task is due" });
  await expect(saved_leads.getByLabel("1 day", { exact: true })).toBeChecked();
  await expect(saved_leads.getByLabel("1 hour", { exact: true })).toBeChecked();
  await expect(saved_leads.getByLabel("15 minutes", { exact: true })).not.toBeChecked();
  const token = await request.post("/api/v1/auth/token", {
    form: { grant_type: "password", username: address, password: PASSWORD },
  });
  const me = await request.get("/api/v1/me", { headers: { Authorization: `Bearer ${(await token.json()).access_token}` } });
  expect((await me.json()).reminder_leads_minutes).toEqual([1440, 60]);
  expect(errors).toEqual([]);
});

test("a task's own reminders are added and removed on its page, and one that is due arrives", async ({ page, request }) => {
  // The reminder goes off about 45 seconds after the task is made.
  test.setTimeout(120_000);
  const errors = watchConsole(page);
  const { email: address, id } = await registerViaApi(request, "Tia Timely");
  const token = await request.post("/api/v1/auth/token", {
    form: { grant_type: "password", username: address, password: PASSWORD },
  });
  const headers = { Authorization: `Bearer ${(await token.json()).access_token}` };
  const project = await (await request.post("/api/v1/projects", { headers, data: { name: "Own reminders" } })).json();
  // Due in two days and 45 seconds: "2 days before it is due" goes off in 45 seconds,
  // and no lead-time reminder interferes.
  const due = new Date(Date.now() + 2 * 24 * 3600 * 1000 + 45 * 1000).toISOString();
  const task = await (
    await request.post(`/api/v1/projects/${project.id}/tasks`, {
      headers,
      data: { title: "Renew the domain", due_at: due, assignee_ids: [id] },
    })
  ).json();

  await signIn(page, address);
  await page.goto(`/tasks/${task.id}`);
  await waitForHydration(page);
  const panel = page.getByRole("region", { name: "Reminders" });
  await expect(panel.getByText("No reminders of its own.")).toBeVisible();
  await panel.getByLabel("Remind", { exact: true }).selectOption({ label: "2 days before it is due" });
  await panel.getByRole("button", { name: "Add reminder" }).click();
  await expect(panel.getByRole("listitem").filter({ hasText: "2 days before it is due" })).toBeVisible();

  // One at a moment tomorrow (typed in the person's zone, UTC here), then removed again.
  const tomorrow = new Date(Date.now() + 24 * 3600 * 1000).toISOString().slice(0, 16);
  await panel.getByLabel("Remind", { exact: true }).selectOption({ label: "At a date and time…" });
  await panel.getByLabel("At", { exact: true }).fill(tomorrow);
  await panel.getByRole("button", { name: "Add reminder" }).click();
  await expect(panel.getByRole("listitem")).toHaveCount(2);
  await panel.getByRole("button", { name: /^Remove the reminder at / }).click();
  await expect(panel.getByRole("listitem")).toHaveCount(1);
  const left = await (await request.get(`/api/v1/tasks/${task.id}/reminders`, { headers })).json();
  expect(left).toHaveLength(1);
  expect(left[0].before_due_minutes).toBe(2 * 24 * 60);

  // A moment already past is refused with the reason.
  const past = new Date(Date.now() - 60 * 1000).toISOString().slice(0, 16);
  await panel.getByLabel("Remind", { exact: true }).selectOption({ label: "At a date and time…" });
  await panel.getByLabel("At", { exact: true }).fill(past);
  await panel.getByRole("button", { name: "Add reminder" }).click();
  await expect(panel.getByRole("alert").filter({ hasText: "must be in the future" })).toBeVisible();

  await expect(page.getByLabel(/\d+ unread/)).toBeVisible({ timeout: 75_000 });
  await page.getByRole("link", { name: /Notifications/ }).click();
  await expect(page.getByRole("link", { name: "Reminder: “Renew the domain” is due in 2 days" })).toBeVisible();
  // The refused moment's 422 is the one failed request the browser reports.
  expect(errors.filter((e) => !e.includes("status of 422"))).toEqual([]);
});
