import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, request, test, type Browser, type Page } from "@playwright/test";
import { apiUser, signIn, waitForHydration, watchConsole } from "./helpers";

// This test runs its own Tandem (same release build, its own database) so that it can
// kill and restart it mid-session.
const root = path.resolve(__dirname, "..", "..");

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

class Server {
  process?: ChildProcess;
  constructor(readonly port: number, readonly db: string) {}
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }
  async start(): Promise<void> {
    this.process = spawn(path.join(root, "target/release/tandem"), ["serve"], {
      cwd: root,
      env: {
        ...process.env,
        TANDEM_ADDR: `127.0.0.1:${this.port}`,
        TANDEM_PUBLIC_URL: this.url,
        // The test's own database: a fresh PostgreSQL one when the suite runs on PostgreSQL.
        DATABASE_URL: process.env.TANDEM_E2E_OWN_DATABASE_URL ?? `sqlite://${this.db}?mode=rwc`,
        RUST_LOG: "warn",
      },
      stdio: "ignore",
    });
    for (let i = 0; i < 150; i++) {
      try {
        if ((await fetch(`${this.url}/healthz`)).ok) return;
      } catch {}
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error("server did not start");
  }
  async kill(): Promise<void> {
    const p = this.process;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise((r) => p.once("exit", r));
    p.kill("SIGKILL");
    await exited;
  }
}

async function signedIn(browser: Browser, base: string, address: string): Promise<Page> {
  const page = await (await browser.newContext({ baseURL: base })).newPage();
  await signIn(page, address);
  return page;
}

const link = (page: Page) => page.locator("header .link");
// "Within a second" of the change being made on the other side.
const SOON = { timeout: 1_000 };

test("two people on one project see each other's changes live, across a server restart", async ({ browser }) => {
  test.setTimeout(90_000);
  const dir = mkdtempSync(path.join(tmpdir(), "tandem-live-"));
  const server = new Server(await freePort(), path.join(dir, "live.db"));
  await server.start();
  try {
    let api = await request.newContext({ baseURL: server.url });
    const ada = await apiUser(api, "Ada");
    const bob = await apiUser(api, "Bob");
    const project = await (await api.post("/api/v1/projects", { headers: ada.headers, data: { name: "Launch" } })).json();
    const added = await api.post(`/api/v1/projects/${project.id}/members`, {
      headers: ada.headers,
      data: { email: bob.email, role: "member" },
    });
    expect(added.status()).toBe(201);

    const a = await signedIn(browser, server.url, ada.email);
    const b = await signedIn(browser, server.url, bob.email);
    const errors = watchConsole(b);
    for (const page of [a, b]) {
      await page.goto(`/projects/${project.id}`);
      await waitForHydration(page);
      await expect(link(page)).toHaveClass(/link-live/);
    }
    // Presence: each sees the other among the project's viewers.
    await expect(b.getByRole("list", { name: "Viewing this project" }).getByText("Ada")).toBeAttached();

    // Create: Bob sees the new task without reloading.
    const newTask = a.getByRole("form", { name: "New task" });
    await newTask.getByLabel("Title").fill("Print the posters");
    await newTask.getByRole("button", { name: "Add task" }).click();
    await expect(a.getByRole("link", { name: "Print the posters" })).toBeVisible();
    await expect(b.getByRole("link", { name: "Print the posters" })).toBeVisible(SOON);

    // Both open the task; Ada edits, comments and completes it.
    await a.getByRole("link", { name: "Print the posters" }).click();
    await b.getByRole("link", { name: "Print the posters" }).click();
    await waitForHydration(b);
    await expect(b.getByRole("heading", { name: "Print the posters", level: 1 })).toBeVisible();
    await expect(b.getByRole("list", { name: "Viewing this task" }).getByText("Ada")).toBeAttached({ timeout: 5_000 });

    await a.getByRole("button", { name: "Edit", exact: true }).click();
    const form = a.getByRole("form", { name: "Edit task" });
    await form.getByLabel("Title").fill("Print the big posters");
    await form.getByRole("button", { name: "Save" }).click();
    await expect(a.getByRole("heading", { name: "Print the big posters", level: 1 })).toBeVisible();
    await expect(b.getByRole("heading", { name: "Print the big posters", level: 1 })).toBeVisible(SOON);

    await a.getByRole("textbox", { name: "Add a comment" }).fill("Proofs are in.");
    await a.getByRole("button", { name: "Comment", exact: true }).click();
    await expect(a.getByText("Proofs are in.")).toBeVisible();
    await expect(b.getByText("Proofs are in.")).toBeVisible(SOON);

    await a.getByRole("button", { name: "Complete" }).click();
    await expect(a.getByRole("button", { name: "Reopen" })).toBeVisible();
    await expect(b.locator(".task-head .status")).toHaveText("Done", SOON);

    // The server goes away: Bob's page says so, then catches up with what happened
    // while it was reconnecting.
    await server.kill();
    await expect(link(b)).toHaveText("Reconnecting…");
    await server.start();
    await api.dispose(); // its kept-alive connections died with the server
    api = await request.newContext({ baseURL: server.url });
    const task = (await (await api.get(`/api/v1/projects/${project.id}/tasks`, { headers: ada.headers })).json()).items[0];
    const patched = await api.patch(`/api/v1/tasks/${task.id}`, {
      headers: ada.headers,
      data: { title: "Posters, reprinted" },
    });
    expect(patched.status()).toBe(200);
    await expect(link(b)).toHaveClass(/link-live/, { timeout: 10_000 });
    await expect(b.getByRole("heading", { name: "Posters, reprinted", level: 1 })).toBeVisible({ timeout: 3_000 });
    // Requests and sockets failing while the server was down are expected; nothing else.
    expect(errors.filter((e) => !/WebSocket|net::ERR_/.test(e))).toEqual([]);
    await api.dispose();
  } finally {
    await server.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});
