/** The Node HTTP adapter both hosts use: an unreadable URL is a 400 that says so, and the server keeps serving. */
import { connect } from "node:net";
import { http, HttpResponse } from "msw";
import { serveHandlers } from "../../emulators/kit/serve";

function rawRequest(port: number, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.end(`GET /ping HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`));
    let text = "";
    socket.on("data", (d) => (text += d.toString()));
    socket.on("end", () => resolve(text));
    socket.on("error", reject);
  });
}

test("Host: a:99999 is answered 400 with the reason, and the next request is served", async () => {
  const running = await serveHandlers(() => [http.get("*/ping", () => HttpResponse.json({ ok: true }))]);
  try {
    const port = Number(new URL(running.url).port);
    const bad = await rawRequest(port, "a:99999");
    expect(bad).toMatch(/^HTTP\/1\.1 400/);
    expect(bad).toContain("The request URL cannot be read (Host \\\"a:99999\\\"");
    expect(await (await fetch(`${running.url}/ping`)).json()).toEqual({ ok: true });
  } finally {
    await running.close();
  }
});
