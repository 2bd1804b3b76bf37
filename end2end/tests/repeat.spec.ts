import { expect, test } from "@playwright/test";
import { PASSWORD, registerViaApi, signIn, waitForHydration, watchConsole } from "./helpers";

test("a task set to repeat every weekday comes back after it is completed, in plain words", async ({ page, request }) => {
  const errors = watchConsole(page);
  const { email: address, id } = await registerViaApi(request, "Wes Weekly");
  const token = await request.post("/api/v1/auth/token", {
    form: { grant_type: "password", username: address, password: PASSWORD },
  });
  const headers = { Authorization: `Bearer ${(await token.json()).access_token}` };
  const project = await (await request.post("/api/v1/projects", { headers, data: { name: "Chores" } })).json();
  // Tomorrow at 09:00 in the person's zone (UTC here).
  const tomorrow = new Date(Date.now() + 24 * 3600 * 1000).toISOString().slice(0, 10);
  const task = await (
    await request.post(`/api/v1/projects/${project.id}/tasks`, {
      headers,
      data: { title: "Water the plants", due_at: `${tomorrow}T09:00:00Z`, assignee_ids: [id] },
    })
  ).json();

  await signIn(page, address);
  await page.goto(`/tasks/${task.id}`);
  await waitForHydration(page);
  await expect(page.locator(".facts")).toContainText("Does not repeat");
  await page.getByRole("button", { name: "Edit" }).click();
  const form = page.getByRole("form", { name: "Edit task" });

  // A crontab expression the server cannot read is refused with the reason, and the
  // form comes back with what was typed.
  await form.getByLabel("Repeats").selectOption({ label: "Custom (cron)" });
  const cron = form.getByLabel(/^Cron expression/);
  await cron.fill("99 9 * * 1-5");
  await expect(form.getByText("When “99 9 * * 1-5” matches")).toBeVisible();
  await form.getByRole("button", { name: "Save" }).click();
  await expect(page.getByText(/cron expression is not valid/).first()).toBeVisible();
  await expect(form.getByLabel(/^Cron expression/)).toHaveValue("99 9 * * 1-5");

  // Every weekday, described as it is chosen; the interval field is only there for
  // rules that count.
  await form.getByLabel("Repeats").selectOption({ label: "Every weekday" });
  await expect(form.getByLabel(/^Cron expression/)).toHaveCount(0);
  await expect(form.getByLabel(/^Every how many/)).toHaveCount(0);
  await expect(form.getByText("Every weekday at 09:00")).toBeVisible();
  await form.getByLabel("Repeats").selectOption({ label: "Weekly" });
  await form.getByLabel("Every how many weeks").fill("2");
  await expect(form.getByText(/^Every 2 weeks on \w+day at 09:00$/)).toBeVisible();
  await form.getByLabel("Repeats").selectOption({ label: "Every weekday" });
  await form.getByRole("button", { name: "Save" }).click();
  await expect(page.locator(".facts")).toContainText("Every weekday at 09:00");
  const saved = await (await request.get(`/api/v1/tasks/${task.id}`, { headers })).json();
  expect(saved.recurrence).toEqual({ every: "weekday", interval: 1, zone: "UTC" });

  // Completing it brings the next one, which the project's list marks as repeating.
  await page.getByRole("button", { name: "Complete" }).click();
  await expect(page.locator(".facts")).toContainText("Does not repeat");
  await page.getByRole("link", { name: "← Back to the project" }).click();
  const rows = page.getByRole("listitem").filter({ hasText: "Water the plants" });
  await expect(rows).toHaveCount(2);
  const open = rows.filter({ hasText: "To do" });
  await expect(open.getByText("Repeats: Every weekday at 09:00")).toBeAttached();
  await expect(rows.filter({ hasText: "Done" }).locator(".repeats")).toHaveCount(0);

  const list = await (await request.get(`/api/v1/projects/${project.id}/tasks?status=todo`, { headers })).json();
  expect(list.items).toHaveLength(1);
  const next = new Date(list.items[0].due_at);
  expect(next.getUTCHours()).toBe(9);
  expect([1, 2, 3, 4, 5]).toContain(next.getUTCDay());
  expect(next.getTime()).toBeGreaterThan(new Date(`${tomorrow}T09:00:00Z`).getTime());
  // The refused cron expression's 422 is the one failed request the browser reports.
  expect(errors.filter((e) => !e.includes("status of 422"))).toEqual([]);
});
