import { expect, test } from "@playwright/test";
import { apiUser, signIn, waitForHydration } from "./helpers";

test("when WebSockets cannot get through, the page says so and keeps up by polling", async ({ page, request }) => {
  test.setTimeout(60_000);
  const ada = await apiUser(request, "Ada");
  const project = await (await request.post("/api/v1/projects", { headers: ada.headers, data: { name: "Fallback" } })).json();
  // Something on the way (a proxy, a firewall) accepts the socket and drops it at once.
  await page.routeWebSocket(/\/api\/v1\/ws/, (ws) => ws.close());
  await signIn(page, ada.email);
  await page.goto(`/projects/${project.id}`);
  await waitForHydration(page);
  await expect(page.locator("header .link")).toHaveText("Live updates unavailable, refreshing every 10 s", {
    timeout: 10_000,
  });

  const created = await request.post(`/api/v1/projects/${project.id}/tasks`, {
    headers: ada.headers,
    data: { title: "Made elsewhere" },
  });
  expect(created.status()).toBe(201);
  await expect(page.getByRole("link", { name: "Made elsewhere" })).toBeVisible({ timeout: 12_000 });
});

test("editing a field someone else just changed shows both values; keeping mine saves mine", async ({ page, request }) => {
  const ada = await apiUser(request, "Ada");
  const project = await (await request.post("/api/v1/projects", { headers: ada.headers, data: { name: "Clash" } })).json();
  const task = await (
    await request.post(`/api/v1/projects/${project.id}/tasks`, { headers: ada.headers, data: { title: "Original" } })
  ).json();
  await signIn(page, ada.email);
  await page.goto(`/tasks/${task.id}`);
  await waitForHydration(page);
  await expect(page.locator("header .link")).toHaveClass(/link-live/);

  await page.getByRole("button", { name: "Edit", exact: true }).click();
  const form = page.getByRole("form", { name: "Edit task" });
  await form.getByLabel("Title").fill("Mine");
  // Meanwhile, from another device, the same title changes.
  const theirs = await request.patch(`/api/v1/tasks/${task.id}`, { headers: ada.headers, data: { title: "Theirs" } });
  expect(theirs.status()).toBe(200);
  await expect(page.getByText("Someone else changed this task while you were editing")).toBeVisible();
  await form.getByRole("button", { name: "Save" }).click();

  const chooser = page.getByRole("alert").filter({ hasText: "Someone else changed the same fields" });
  await expect(chooser.getByRole("row", { name: /title/ })).toContainText("Mine");
  await expect(chooser.getByRole("row", { name: /title/ })).toContainText("Theirs");
  await chooser.getByRole("button", { name: "Keep mine" }).click();
  await expect(page.getByRole("heading", { name: "Mine", level: 1 })).toBeVisible();
  await expect(chooser).toBeHidden();
  const saved = await (await request.get(`/api/v1/tasks/${task.id}`, { headers: ada.headers })).json();
  expect(saved.title).toBe("Mine");
});
