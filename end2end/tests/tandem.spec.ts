import { expect, test } from "@playwright/test";
import { email, expectNoHorizontalScroll, PASSWORD, registerViaApi, signIn, waitForHydration, watchConsole } from "./helpers";

test("sign up, create a project and a task, filter, comment and reply", async ({ page }) => {
  const errors = watchConsole(page);
  const address = email("ada");

  await page.goto("/register");
  await waitForHydration(page);
  await page.getByLabel("Name").fill("Ada Lovelace");
  // The browser accepts this address; the server's shared validation does not.
  await page.getByLabel("Email").fill("ada@localhost");
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByText("must be a valid email address")).toBeVisible();
  await page.getByLabel("Email").fill(address);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("heading", { name: "Projects", level: 1 })).toBeVisible();
  await expect(page.getByText("No projects yet")).toBeVisible();

  await page.getByLabel("Name").fill("Launch");
  await page.getByRole("button", { name: "Create project" }).click();
  await page.getByRole("link", { name: "Launch" }).click();
  await expect(page.getByRole("heading", { name: "Launch", level: 1 })).toBeVisible();
  await waitForHydration(page);

  const newTask = page.getByRole("form", { name: "New task" });
  await newTask.getByLabel("Title").fill("Write the press release");
  await newTask.getByLabel("Description").fill("Needs **numbers** <script>window.pwned=1</script>");
  await newTask.getByLabel("Priority").selectOption("high");
  await newTask.getByLabel("Labels").fill("marketing, launch");
  await newTask.getByRole("button", { name: "Add task" }).click();
  await expect(page.getByRole("link", { name: "Write the press release" })).toBeVisible();

  await newTask.getByLabel("Title").fill("Book the venue");
  await newTask.getByLabel("Status").selectOption("done");
  await newTask.getByRole("button", { name: "Add task" }).click();
  await expect(page.getByRole("link", { name: "Book the venue" })).toBeVisible();

  // Filter by status: the URL keeps the filter, so the view can be shared.
  const filters = page.getByRole("form", { name: "Filter tasks" });
  await filters.getByLabel("Done").check();
  await filters.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/status=done/);
  await expect(page.getByRole("link", { name: "Book the venue" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Write the press release" })).toHaveCount(0);
  await page.reload();
  await expect(page.getByRole("link", { name: "Write the press release" })).toHaveCount(0);
  await expect(page.getByRole("link", { name: "Book the venue" })).toBeVisible();

  await page.goto(page.url().replace(/\?.*$/, "?q=press"));
  await expect(page.getByRole("link", { name: "Write the press release" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Book the venue" })).toHaveCount(0);

  // The task page: safe Markdown, comments and a threaded reply.
  await page.getByRole("link", { name: "Write the press release" }).click();
  await expect(page.getByRole("heading", { name: "Write the press release" })).toBeVisible();
  await waitForHydration(page);
  await expect(page.locator(".markdown strong")).toHaveText("numbers");
  expect(await page.evaluate(() => (window as any).pwned)).toBeUndefined();

  await page.getByRole("textbox", { name: "Add a comment" }).fill("Draft is in the shared folder");
  // As a person would, reply once the comment has been answered for (the live event can
  // show it a moment before the request itself returns).
  const commented = page.waitForResponse((r) => r.url().includes("/rpc/") && r.request().method() === "POST");
  await page.getByRole("button", { name: "Comment", exact: true }).click();
  expect((await commented).status()).toBe(200);
  await expect(page.getByText("Draft is in the shared folder")).toBeVisible();
  await page.getByRole("button", { name: "Reply" }).first().click();
  await page.getByRole("form", { name: "Reply" }).getByLabel("Reply").fill("Thanks, reading it now");
  await page.getByRole("form", { name: "Reply" }).getByRole("button", { name: "Reply" }).click();
  await expect(page.locator(".comments.replies").getByText("Thanks, reading it now")).toBeVisible();

  await page.getByRole("button", { name: "Complete" }).click();
  await expect(page.getByRole("button", { name: "Reopen" })).toBeVisible();
  await expect(page.getByRole("region", { name: "History" }).getByText(/status from/)).toBeVisible();

  // The one failed request the browser may report is the registration refused on purpose.
  expect(errors.filter((e) => !e.includes("status of 422"))).toEqual([]);
});

test("a viewer sees the project but no edit controls", async ({ page, request, browser }) => {
  const owner = await registerViaApi(request, "Owner");
  const viewer = await registerViaApi(request, "Vic");
  const token = (await (await request.post("/api/v1/auth/token", { form: { grant_type: "password", username: owner.email, password: PASSWORD } })).json()).access_token;
  const auth = { Authorization: `Bearer ${token}` };
  const project = await (await request.post("/api/v1/projects", { headers: auth, data: { name: "Read only" } })).json();
  const task = await (await request.post(`/api/v1/projects/${project.id}/tasks`, { headers: auth, data: { title: "Look, don't touch" } })).json();
  expect((await request.post(`/api/v1/projects/${project.id}/members`, { headers: auth, data: { email: viewer.email, role: "viewer" } })).status()).toBe(201);

  const context = await browser.newContext();
  const vic = await context.newPage();
  await signIn(vic, viewer.email);
  await vic.getByRole("link", { name: "Read only" }).click();
  await expect(vic.getByRole("link", { name: "Look, don't touch" })).toBeVisible();
  await expect(vic.getByRole("form", { name: "New task" })).toHaveCount(0);
  await expect(vic.getByRole("form", { name: "Invite a member" })).toHaveCount(0);
  await vic.goto(`/tasks/${task.id}`);
  await expect(vic.getByRole("heading", { name: "Look, don't touch" })).toBeVisible();
  for (const name of ["Edit", "Complete", "Delete"]) {
    await expect(vic.getByRole("button", { name })).toHaveCount(0);
  }
  await expect(vic.getByRole("textbox", { name: "Add a comment" })).toHaveCount(0);
  await context.close();
});

test("at 360 px wide nothing scrolls sideways", async ({ browser, request }) => {
  const user = await registerViaApi(request, "Pat");
  const token = (await (await request.post("/api/v1/auth/token", { form: { grant_type: "password", username: user.email, password: PASSWORD } })).json()).access_token;
  const auth = { Authorization: `Bearer ${token}` };
  const project = await (await request.post("/api/v1/projects", { headers: auth, data: { name: "A project with a rather long name for a small phone screen" } })).json();
  const task = await (await request.post(`/api/v1/projects/${project.id}/tasks`, {
    headers: auth,
    data: { title: "Averyveryverylongunbrokenwordthatmustwrapinsteadofoverflowing and more", labels: ["one", "two", "three"], priority: "urgent", due_at: "2026-12-01T10:00:00Z", assignee_ids: [user.id] },
  })).json();

  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  await signIn(page, user.email);
  await expectNoHorizontalScroll(page);
  await page.goto(`/projects/${project.id}`);
  await expect(page.getByRole("link", { name: /Averyvery/ })).toBeVisible();
  await expectNoHorizontalScroll(page);
  await page.screenshot({ path: "test-results/project-360.png", fullPage: true });
  await page.goto(`/tasks/${task.id}`);
  await expect(page.getByRole("heading", { name: /Averyvery/ })).toBeVisible();
  await expectNoHorizontalScroll(page);
  await context.close();
});

test("signing out ends the session", async ({ page, request }) => {
  const user = await registerViaApi(request, "Sam");
  await signIn(page, user.email);
  // Sign-out ends with a full page load of /login (after the router's own redirect):
  // wait for that document, so the next navigation does not race it.
  const reloaded = page.waitForResponse((r) => r.url().endsWith("/login") && r.request().resourceType() === "document");
  await page.getByRole("button", { name: "Sign out" }).click();
  await reloaded;
  await expect(page).toHaveURL(/\/login$/);
  await page.goto("/");
  await expect(page).toHaveURL(/\/login$/);
});
