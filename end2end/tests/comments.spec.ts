import { expect, test } from "@playwright/test";
import { apiUser, registerViaApi, signIn, waitForHydration, watchConsole } from "./helpers";

test("a reply being typed survives a live update of the thread", async ({ page, request }) => {
  const errors = watchConsole(page);
  const owner = await apiUser(request, "Thread Owner");
  const created = await request.post("/api/v1/projects", { headers: owner.headers, data: { name: "Threads" } });
  const project = await created.json();
  const me = await registerViaApi(request, "Replier");
  const added = await request.post(`/api/v1/projects/${project.id}/members`, {
    headers: owner.headers,
    data: { email: me.email, role: "member" },
  });
  expect(added.status()).toBe(201);
  const made = await request.post(`/api/v1/projects/${project.id}/tasks`, { headers: owner.headers, data: { title: "Discuss" } });
  const task = await made.json();
  await request.post(`/api/v1/tasks/${task.id}/comments`, { headers: owner.headers, data: { body: "First thought" } });

  await signIn(page, me.email);
  await page.goto(`/tasks/${task.id}`);
  await waitForHydration(page);
  await expect(page.locator(".link-live")).toBeVisible();
  await page.getByRole("button", { name: "Reply" }).first().click();
  const reply = page.getByRole("form", { name: "Reply" });
  await reply.getByLabel("Reply").fill("Half a thought");

  // Someone else comments meanwhile: the thread is redrawn live.
  await request.post(`/api/v1/tasks/${task.id}/comments`, { headers: owner.headers, data: { body: "Second thought" } });
  await expect(page.getByText("Second thought")).toBeVisible();
  await expect(reply.getByLabel("Reply")).toHaveValue("Half a thought");

  await reply.getByRole("button", { name: "Reply" }).click();
  await expect(page.locator(".comments.replies").getByText("Half a thought")).toBeVisible();
  expect(errors).toEqual([]);
});
