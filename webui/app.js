// The node page: status for everyone; after logging in (a session cookie, with the CSRF
// token kept in memory for writes), who you are and, for the roles that may read raw
// blocks, the latest blocks. Live: the event stream triggers a refresh on each block.
// Times are shown in the browser's time zone, named explicitly.
"use strict";

const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
let me = null;       // GET /api/v1/auth/me, or null when logged out
let events = null;   // the EventSource while logged in

function localTime(utcSeconds) {
  return new Date(utcSeconds * 1000).toLocaleString(undefined, { timeZoneName: "short" }) + " (" + zone + ")";
}

async function request(path, options = {}) {
  const headers = { Accept: "application/json", ...(options.headers || {}) };
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  if (me && options.method && options.method !== "GET") headers["X-CSRF-Token"] = me.csrf_token;
  const response = await fetch(path, { ...options, headers, credentials: "same-origin" });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error((body.code || response.status) + ": " + (body.detail || response.statusText));
    error.status = response.status;
    throw error;
  }
  return body;
}

function setText(id, text) {
  document.getElementById(id).textContent = text;
}

async function refresh() {
  const errorBox = document.getElementById("status-error");
  try {
    const status = await request("/api/v1/status");
    errorBox.hidden = true;
    setText("chain_id", status.chain_id);
    setText("height", status.height);
    setText("last_block_time", status.height > 0 ? localTime(status.last_block_time) : "no blocks yet");
    setText("app_hash", status.app_hash);
    setText("last_block_hash", status.last_block_hash);
    setText("node_participant", status.node_participant);
    setText("mempool", status.mempool.transactions + " (" + status.mempool.bytes + " bytes)");
    setText("version", status.version);
    await showBlocks();
  } catch (error) {
    errorBox.textContent = "Cannot reach the node API: " + error.message;
    errorBox.hidden = false;
  }
}

function readsBlocks() {
  return me && me.roles.some((role) => ["operator", "auditor", "regulator"].includes(role));
}

async function showBlocks() {
  const body = document.getElementById("blocks");
  if (!readsBlocks()) {
    body.innerHTML = "<tr><td colspan=\"4\">" + (me ? "Your roles do not read raw blocks." : "Log in as an operator, auditor or regulator to see blocks.") + "</td></tr>";
    return;
  }
  const page = await request("/api/v1/blocks?limit=10");
  const rows = page.items.map((block) => {
    const row = document.createElement("tr");
    for (const [text, cls] of [[block.height], [localTime(block.time)], [block.transactions], [block.hash, "hash"]]) {
      const cell = document.createElement("td");
      cell.textContent = text;
      if (cls) cell.className = cls;
      row.appendChild(cell);
    }
    return row;
  });
  if (rows.length === 0) {
    body.innerHTML = "<tr><td colspan=\"4\">No blocks yet.</td></tr>";
  } else {
    body.replaceChildren(...rows);
  }
}

function showSession() {
  document.getElementById("login-form").hidden = me !== null;
  document.getElementById("session").hidden = me === null;
  if (me) setText("who", me.user + " — " + me.roles.join(", ") + (me.can_sign ? "" : " (read-only)"));
  if (me && !events) {
    events = new EventSource("/api/v1/events");
    events.addEventListener("block", () => refresh());
  } else if (!me && events) {
    events.close();
    events = null;
  }
}

async function loadSession() {
  try {
    me = await request("/api/v1/auth/me");
  } catch (error) {
    me = null;
  }
  showSession();
  refresh();
}

document.getElementById("login-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const errorBox = document.getElementById("login-error");
  try {
    me = await request("/api/v1/auth/login", {
      method: "POST",
      body: JSON.stringify({ user: document.getElementById("user").value, password: document.getElementById("password").value }),
    });
    errorBox.hidden = true;
    document.getElementById("password").value = "";
  } catch (error) {
    errorBox.textContent = error.message;
    errorBox.hidden = false;
  }
  showSession();
  refresh();
});

document.getElementById("logout").addEventListener("click", async () => {
  await request("/api/v1/auth/logout", { method: "POST", body: "{}" }).catch(() => {});
  me = null;
  showSession();
  refresh();
});

loadSession();
setInterval(refresh, 5000);
