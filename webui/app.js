// Reads /api/v1/status and the latest blocks every two seconds. Times are shown in the
// browser's time zone, named explicitly.
"use strict";

const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;

function localTime(utcSeconds) {
  return new Date(utcSeconds * 1000).toLocaleString(undefined, { timeZoneName: "short" }) + " (" + zone + ")";
}

async function getJson(path) {
  const response = await fetch(path, { headers: { Accept: "application/json" } });
  const body = await response.json();
  if (!response.ok) throw new Error((body.code || response.status) + ": " + (body.detail || response.statusText));
  return body;
}

function setText(id, text) {
  document.getElementById(id).textContent = text;
}

async function refresh() {
  const errorBox = document.getElementById("status-error");
  try {
    const status = await getJson("/api/v1/status");
    errorBox.hidden = true;
    setText("chain_id", status.chain_id);
    setText("height", status.height);
    setText("last_block_time", status.height > 0 ? localTime(status.last_block_time) : "no blocks yet");
    setText("app_hash", status.app_hash);
    setText("last_block_hash", status.last_block_hash);
    setText("node_participant", status.node_participant);
    setText("mempool", status.mempool.transactions + " (" + status.mempool.bytes + " bytes)");
    setText("version", status.version);
    await showBlocks(status.height);
  } catch (error) {
    errorBox.textContent = "Cannot reach the node API: " + error.message;
    errorBox.hidden = false;
  }
}

async function showBlocks(height) {
  const rows = [];
  for (let h = height; h > 0 && h > height - 10; h--) {
    const block = await getJson("/api/v1/blocks/" + h);
    const row = document.createElement("tr");
    for (const [text, cls] of [[block.height], [localTime(block.header.time)], [block.transactions.length],
                               [block.hash, "hash"]]) {
      const cell = document.createElement("td");
      cell.textContent = text;
      if (cls) cell.className = cls;
      row.appendChild(cell);
    }
    rows.push(row);
  }
  const body = document.getElementById("blocks");
  if (rows.length === 0) {
    body.innerHTML = "<tr><td colspan=\"4\">No blocks yet. Submit a transaction with POST /api/v1/txs.</td></tr>";
  } else {
    body.replaceChildren(...rows);
  }
}

refresh();
setInterval(refresh, 2000);
