import { createServer, type IncomingHttpHeaders } from "node:http";
import { createECDH, randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import { expect, test } from "@playwright/test";
import { PASSWORD, registerViaApi, signIn, waitForHydration, watchConsole } from "./helpers";

/** A push service on loopback that records what reaches each device's endpoint. */
async function pushService(): Promise<{ base: string; received: { path: string; headers: IncomingHttpHeaders; size: number }[]; close: () => void }> {
  const received: { path: string; headers: IncomingHttpHeaders; size: number }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      received.push({ path: req.url ?? "", headers: req.headers, size: Buffer.concat(chunks).length });
      res.writeHead(201).end();
    });
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;
  return { base: `http://127.0.0.1:${port}`, received, close: () => server.close() };
}

test("Tandem installs as an app: a manifest with icons and a service worker that takes pushes", async ({ page, request }) => {
  const errors = watchConsole(page);
  await page.goto("/login");
  await waitForHydration(page);
  const href = await page.locator('link[rel="manifest"]').getAttribute("href");
  const manifest = await (await request.get(href!)).json();
  expect(manifest).toMatchObject({ name: "Tandem", start_url: "/", display: "standalone" });
  for (const icon of manifest.icons) expect((await request.get(icon.src)).status()).toBe(200);
  const script = await page.evaluate(async () => {
    const registration = await navigator.serviceWorker.ready;
    return registration.active?.scriptURL;
  });
  expect(script).toMatch(/\/sw\.js$/);
  expect(errors).toEqual([]);
});

test("devices with push are listed and removed in Settings, and a notification is pushed to each", async ({ page, request, context }) => {
  const errors = watchConsole(page);
  const service = await pushService();
  try {
    const { email: address, id } = await registerViaApi(request, "Pia Pushed");
    const token = await request.post("/api/v1/auth/token", {
      form: { grant_type: "password", username: address, password: PASSWORD },
    });
    const headers = { Authorization: `Bearer ${(await token.json()).access_token}` };
    // A phone subscribed elsewhere: its keys are made as a browser makes them.
    const phone = createECDH("prime256v1");
    phone.generateKeys();
    const subscribed = await request.post("/api/v1/me/push-subscriptions", {
      headers,
      data: {
        endpoint: `${service.base}/push/phone`,
        keys: { p256dh: phone.getPublicKey().toString("base64url"), auth: randomBytes(16).toString("base64url") },
        device: "Chrome on Android",
      },
    });
    expect(subscribed.status()).toBe(201);

    await signIn(page, address);
    await page.goto("/settings");
    await waitForHydration(page);
    const panel = page.getByRole("region", { name: "Push notifications" });
    const devices = panel.getByRole("list", { name: "Devices with push notifications" });
    await expect(devices.getByRole("listitem")).toHaveCount(1);
    await expect(devices).toContainText("Chrome on Android");
    // The notification table has a push column.
    await expect(page.getByLabel("Someone assigns you a task: Push", { exact: true })).toBeChecked();

    // Assigned by someone else: the phone is sent the notification.
    const ada = await registerViaApi(request, "Ada Assigner");
    const adaToken = await request.post("/api/v1/auth/token", {
      form: { grant_type: "password", username: ada.email, password: PASSWORD },
    });
    const adaHeaders = { Authorization: `Bearer ${(await adaToken.json()).access_token}` };
    const project = await (await request.post("/api/v1/projects", { headers: adaHeaders, data: { name: "Pushy" } })).json();
    await request.post(`/api/v1/projects/${project.id}/members`, { headers: adaHeaders, data: { email: address, role: "member" } });
    await request.post(`/api/v1/projects/${project.id}/tasks`, {
      headers: adaHeaders,
      data: { title: "Ring the bell", assignee_ids: [id] },
    });
    await expect.poll(() => service.received.length, { timeout: 10_000 }).toBe(1);
    expect(service.received[0].path).toBe("/push/phone");
    expect(service.received[0].headers["content-encoding"]).toBe("aes128gcm");
    expect(service.received[0].headers.authorization).toMatch(/^vapid t=[\w-]+\.[\w-]+\.[\w-]+, k=[\w-]+$/);

    // Turning push on here: headless Chromium has no push service to subscribe with,
    // and says so in words.
    await context.grantPermissions(["notifications"]);
    await panel.getByRole("button", { name: "Turn on for this device" }).click();
    await expect(panel.getByRole("alert")).toContainText("could not turn push on");

    await devices.getByRole("button", { name: "Stop push notifications on Chrome on Android" }).click();
    await expect(panel.getByText("No device receives push notifications yet.")).toBeVisible();
    const left = await (await request.get("/api/v1/me/push-subscriptions", { headers })).json();
    expect(left).toEqual([]);
    // Chromium itself reports that headless (like incognito) windows have no push service.
    expect(errors.filter((e) => !e.includes("does not support the Push API"))).toEqual([]);
  } finally {
    service.close();
  }
});
