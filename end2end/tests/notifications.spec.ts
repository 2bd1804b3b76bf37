import { expect, test } from "@playwright/test";
import { apiUser, registerViaApi, signIn, waitForHydration, watchConsole } from "./helpers";

test("notifications are grouped by task, and one task's are marked read together", async ({ page, request }) => {
  const errors = watchConsole(page);
  const owner = await apiUser(request, "Gil Grouper");
  const member = await registerViaApi(request, "Hal Hearer");
  const project = await (await request.post("/api/v1/projects", { headers: owner.headers, data: { name: "Grouped" } })).json();
  await request.post(`/api/v1/projects/${project.id}/members`, {
    headers: owner.headers,
    data: { email: member.email, role: "member" },
  });
  const create = async (title: string) =>
    (
      await request.post(`/api/v1/projects/${project.id}/tasks`, {
        headers: owner.headers,
        data: { title, assignee_ids: [member.id] },
      })
    ).json();
  const busy = await create("Busy task");
  await create("Quiet task");
  for (const title of ["Busy task, renamed", "Busy task, renamed again"]) {
    const r = await request.patch(`/api/v1/tasks/${busy.id}`, { headers: owner.headers, data: { title } });
    expect(r.status()).toBe(200);
  }
  const comment = await request.post(`/api/v1/tasks/${busy.id}/comments`, {
    headers: owner.headers,
    data: { body: "Almost there" },
  });
  expect(comment.status()).toBe(201);

  await signIn(page, member.email);
  await page.goto("/notifications");
  await waitForHydration(page);
  const groups = page.locator(".notification-list > li");
  await expect(groups).toHaveCount(2);
  const busyGroup = groups.first();
  await expect(busyGroup.getByRole("link")).toHaveText("Gil Grouper commented on “Busy task, renamed again”");
  await busyGroup.getByText("3 earlier about this task").click();
  await expect(busyGroup.getByText("Gil Grouper assigned you “Busy task”")).toBeVisible();
  await expect(page.getByLabel("5 unread")).toBeVisible();

  await busyGroup.getByRole("button", { name: "Mark 4 read" }).click();
  await expect(page.getByLabel("1 unread")).toBeVisible();
  await expect(busyGroup.getByRole("button", { name: /Mark/ })).toHaveCount(0);
  await expect(groups.nth(1).getByRole("button", { name: "Mark read" })).toBeVisible();
  expect(errors).toEqual([]);
});
