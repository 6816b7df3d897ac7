// A small WebDriver client over fetch: just what the end-to-end tests use.
const ELEMENT = "element-6066-11e4-a52e-4f735466cecf";

export class WebDriver {
  constructor(base = "http://127.0.0.1:4444") {
    this.base = base;
    this.session = null;
  }

  async request(method, path, body) {
    const response = await fetch(`${this.base}${path}`, {
      method,
      headers: { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const json = text ? JSON.parse(text) : {};
    if (!response.ok || json.value?.error) {
      throw new Error(`${method} ${path}: ${response.status} ${json.value?.error ?? ""} ${json.value?.message ?? text}`);
    }
    return json.value;
  }

  /** Starts the app: tauri-driver launches `application` (with tauri-driver's environment). */
  async start(application) {
    const value = await this.request("POST", "/session", {
      capabilities: { alwaysMatch: { "tauri:options": { application } } },
    });
    this.session = value.sessionId;
  }

  async stop() {
    if (this.session) await this.request("DELETE", `/session/${this.session}`).catch(() => {});
    this.session = null;
  }

  s(path) {
    return `/session/${this.session}${path}`;
  }

  async find(css) {
    const value = await this.request("POST", this.s("/element"), { using: "css selector", value: css });
    return value[ELEMENT];
  }

  async findAll(css) {
    const value = await this.request("POST", this.s("/elements"), { using: "css selector", value: css });
    return value.map((v) => v[ELEMENT]);
  }

  /** Polls until `css` matches (and `predicate(text)` holds, when given). */
  async waitFor(css, { timeout = 15000, predicate } = {}) {
    const deadline = Date.now() + timeout;
    let last = "";
    for (;;) {
      try {
        const id = await this.find(css);
        if (!predicate) return id;
        last = await this.text(id);
        if (predicate(last)) return id;
      } catch (error) {
        last = error.message;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${css} (last: ${last.slice(0, 300)})`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  async click(id) {
    await this.request("POST", this.s(`/element/${id}/click`), {});
  }

  async clear(id) {
    await this.request("POST", this.s(`/element/${id}/clear`), {});
  }

  async type(id, text) {
    await this.request("POST", this.s(`/element/${id}/value`), { text });
  }

  async text(id) {
    return this.request("GET", this.s(`/element/${id}/text`));
  }

  /** Presses and releases each character's key, as a person typing on the focused page. */
  async keys(text) {
    const actions = [...text].flatMap((value) => [
      { type: "keyDown", value },
      { type: "keyUp", value },
    ]);
    await this.request("POST", this.s("/actions"), { actions: [{ type: "key", id: "keyboard", actions }] });
    await this.request("DELETE", this.s("/actions"));
  }

  async execute(script, args = []) {
    return this.request("POST", this.s("/execute/sync"), { script, args });
  }

  /** Runs `script` in the page; it ends by calling its last argument with the result. */
  async executeAsync(script, args = []) {
    return this.request("POST", this.s("/execute/async"), { script, args });
  }

  /** The longest an asynchronous script may run before WebDriver gives up on it. */
  async scriptTimeout(ms) {
    await this.request("POST", this.s("/timeouts"), { script: ms });
  }

  /** A PNG of the window, as a Buffer. */
  async screenshot() {
    return Buffer.from(await this.request("GET", this.s("/screenshot")), "base64");
  }
}
