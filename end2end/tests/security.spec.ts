import { expect, test, type Page } from "@playwright/test";
import { apiUser, signIn, waitForHydration, watchConsole } from "./helpers";

// Each payload, if it ever ran, would bump window.__xss. They go into every kind of
// user content: names, project and task fields, Markdown descriptions, comments, labels.
const RUN = "window.__xss=(window.__xss||0)+1";
const PAYLOADS = [
  `<script>${RUN}</script>`,
  `<img src=x onerror="${RUN}">`,
  `"><svg onload="${RUN}">`,
  `'><iframe srcdoc="<script>parent.__xss=1</script>">`,
  `<a href="javascript:${RUN}">click me</a>`,
  `[click me too](javascript:${RUN})`,
  `<details open ontoggle="${RUN}">x</details>`,
  `<style>@import 'https://evil.example/x.css';</style>`,
  `javascript:${RUN}`,
];

async function expectNothingRan(page: Page, where: string): Promise<void> {
  await waitForHydration(page);
  // Give late handlers (onerror, ontoggle, onload) their chance to fire.
  await page.waitForTimeout(300);
  expect(await page.evaluate(() => (window as any).__xss), `script ran on ${where}`).toBeUndefined();
  expect(await page.locator('a[href^="javascript:" i], iframe, [onerror], [onload], [ontoggle]').count(), where).toBe(0);
}

test("user content with script payloads is shown as text and never runs", async ({ page, request }) => {
  const violations: string[] = [];
  const dialogs: string[] = [];
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  page.on("console", (m) => {
    if (m.type() === "error") violations.push(m.text());
  });
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => console.error(`CSP blocked ${e.violatedDirective}`));
  });

  // The author's name is itself a payload.
  const author = await apiUser(request, `Mallory ${PAYLOADS[1]}`.slice(0, 100));
  const reader = await apiUser(request, "Reader");
  const projectReply = await request.post("/api/v1/projects", {
    headers: author.headers,
    data: { name: PAYLOADS[2].slice(0, 100), description: PAYLOADS.join("\n\n") },
  });
  expect(projectReply.status()).toBe(201);
  const project = await projectReply.json();
  const member = await request.post(`/api/v1/projects/${project.id}/members`, {
    headers: author.headers,
    data: { email: reader.email, role: "member" },
  });
  expect(member.status()).toBe(201);
  const me = await (await request.get("/api/v1/me", { headers: reader.headers })).json();
  const taskReply = await request.post(`/api/v1/projects/${project.id}/tasks`, {
    headers: author.headers,
    data: {
      title: PAYLOADS[0],
      description: PAYLOADS.join("\n\n"),
      labels: ["<b>x</b>", "\"onmouseover=alert(1)"],
      assignee_ids: [me.id],
    },
  });
  expect(taskReply.status()).toBe(201);
  const task = await taskReply.json();
  const comment = await request.post(`/api/v1/tasks/${task.id}/comments`, {
    headers: author.headers,
    data: { body: PAYLOADS.join("\n\n") },
  });
  expect(comment.status()).toBe(201);

  await signIn(page, reader.email);
  await expectNothingRan(page, "the project list");
  await expect(page.getByRole("link", { name: PAYLOADS[2].slice(0, 100) })).toBeVisible();

  await page.goto(`/projects/${project.id}`);
  await expectNothingRan(page, "the project page");
  await expect(page.getByRole("link", { name: PAYLOADS[0] })).toBeVisible();

  await page.goto(`/tasks/${task.id}`);
  await expectNothingRan(page, "the task page");
  await expect(page.getByRole("heading", { name: PAYLOADS[0] })).toBeVisible();
  // Sanitized Markdown keeps the harmless part: the link's text, without its script URL.
  await expect(page.locator(".markdown").first()).toContainText("click me too");

  await page.goto("/notifications");
  await expectNothingRan(page, "the notifications page");

  expect(dialogs).toEqual([]);
  expect(violations.filter((v) => v.includes("CSP") || v.includes("Content Security Policy"))).toEqual([]);
});

test("signing in from a deep link returns there, and never to another site", async ({ page, request }) => {
  const user = await apiUser(request, "Returner");
  const created = await request.post("/api/v1/projects", { headers: user.headers, data: { name: "Deep link" } });
  const project = await created.json();

  await page.goto(`/projects/${project.id}?status=todo`);
  await expect(page).toHaveURL(/\/login\?next=/);
  await waitForHydration(page);
  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password").fill("correct horse battery");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Deep link", level: 1 })).toBeVisible();
  await expect(page).toHaveURL(new RegExp(`/projects/${project.id}\\?status=todo$`));

  await page.context().clearCookies();
  await page.goto("/login?next=//evil.example/steal");
  await waitForHydration(page);
  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password").fill("correct horse battery");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Projects", level: 1 })).toBeVisible();
  expect(new URL(page.url()).pathname).toBe("/");
  expect(page.url()).not.toContain("evil");
});

test("the interactive API documentation works under its own policy", async ({ page }) => {
  const errors = watchConsole(page);
  await page.goto("/api/docs/");
  await expect(page.getByRole("heading", { name: /Tandem API/ })).toBeVisible();
  await expect(page.getByText("/api/v1/projects/{id}/tasks").first()).toBeVisible();
  expect(errors).toEqual([]);
});
