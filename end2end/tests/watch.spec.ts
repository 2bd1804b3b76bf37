import { expect, test } from "@playwright/test";
import { apiUser, registerViaApi, signIn, waitForHydration, watchConsole } from "./helpers";

test("a viewer watches a task and hears of the next comment live", async ({ page, request }) => {
  const errors = watchConsole(page);
  const owner = await apiUser(request, "Owen Owner");
  const viewer = await registerViaApi(request, "Vera Viewer");
  const project = await (await request.post("/api/v1/projects", { headers: owner.headers, data: { name: "Watched" } })).json();
  const added = await request.post(`/api/v1/projects/${project.id}/members`, {
    headers: owner.headers,
    data: { email: viewer.email, role: "viewer" },
  });
  expect(added.status()).toBe(201);
  const task = await (
    await request.post(`/api/v1/projects/${project.id}/tasks`, { headers: owner.headers, data: { title: "Migrate the wiki" } })
  ).json();

  await signIn(page, viewer.email);
  await page.goto(`/tasks/${task.id}`);
  await waitForHydration(page);
  const watch = page.getByRole("button", { name: "Watch this task" });
  await expect(watch).toHaveAttribute("aria-pressed", "false");
  const saved = page.waitForResponse((r) => r.url().includes("/rpc/set_watching"));
  await watch.click();
  await expect(watch).toHaveAttribute("aria-pressed", "true");
  await expect(watch).toHaveText("✓ Watching");
  expect((await saved).status()).toBe(200);

  // The comment reaches the viewer's badge without a reload.
  const comment = await request.post(`/api/v1/tasks/${task.id}/comments`, {
    headers: owner.headers,
    data: { body: "Halfway done" },
  });
  expect(comment.status()).toBe(201);
  await expect(page.getByLabel("1 unread")).toBeVisible({ timeout: 10_000 });

  // The choice is the server's: it survives a reload, and can be undone with the keyboard.
  await page.reload();
  await waitForHydration(page);
  await expect(watch).toHaveAttribute("aria-pressed", "true");
  const unsaved = page.waitForResponse((r) => r.url().includes("/rpc/set_watching"));
  await watch.focus();
  await page.keyboard.press("Enter");
  expect((await unsaved).status()).toBe(200);
  await expect(watch).toHaveAttribute("aria-pressed", "false");
  const watchers = await request.get(`/api/v1/tasks/${task.id}/watchers`, { headers: owner.headers });
  expect(await watchers.json()).toEqual([]);
  expect(errors).toEqual([]);
});
