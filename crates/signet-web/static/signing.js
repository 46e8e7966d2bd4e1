// Signing from the pages (issue 9). The document page: mark the leader's box on a
// proportional preview of the page, and sign with a device — the USB token through the local
// agent, or the phone. The batch page (/signing-batch): the same devices for the selected
// documents, one confirmation for all of them (one PIN on the agent, one request of N hashes
// on the phone). The PIN goes to the device only; the server sees digests and signatures.
const AGENT = "http://127.0.0.1:8765";
const root = document.getElementById("signing");
const batchRoot = document.getElementById("batch-devices");
const doc = root?.dataset.doc;
const csrf = (root || batchRoot)?.dataset.csrf;

async function api(method, path, body) {
  const r = await fetch(path, {
    method,
    headers: { "content-type": "application/json", "x-csrf-token": csrf },
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: "same-origin",
  });
  const json = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(json.error?.message || r.statusText);
  return json;
}

function pages() {
  return (root.dataset.pages || "").split(";").filter(Boolean).map((p) => p.split(" ").map(Number));
}

// --- the officer's mark -------------------------------------------------------------------
function setupPreview() {
  const preview = document.getElementById("page-preview");
  const pageInput = document.getElementById("mark-page");
  if (!preview || !pageInput) return;
  const boxes = pages();
  if (!boxes.length) return;
  const width = 300;
  const show = () => {
    const b = boxes[Number(pageInput.value) - 1] || boxes[boxes.length - 1];
    const [x0, y0, x1, y1] = b;
    preview.style.width = width + "px";
    preview.style.height = Math.round((width * (y1 - y0)) / (x1 - x0)) + "px";
    const m = (root.dataset.mark || "").split(" ").map(Number);
    const box = document.getElementById("mark-box");
    if (m.length === 5 && m[0] + 1 === Number(pageInput.value)) {
      const s = width / (x1 - x0);
      box.style.left = (m[1] - x0) * s + "px";
      box.style.top = (y1 - m[4]) * s + "px";
      box.style.width = (m[3] - m[1]) * s + "px";
      box.style.height = (m[4] - m[2]) * s + "px";
      box.hidden = false;
    } else {
      box.hidden = true;
    }
  };
  preview.hidden = false;
  show();
  pageInput.addEventListener("change", show);
  preview.addEventListener("click", async (ev) => {
    const page = Number(pageInput.value);
    const [x0, y0, x1, y1] = boxes[page - 1];
    const rect = preview.getBoundingClientRect();
    const s = (x1 - x0) / rect.width;
    const cx = x0 + (ev.clientX - rect.left) * s;
    const cy = y1 - (ev.clientY - rect.top) * s;
    const w = Math.min(200, x1 - x0), h = Math.min(80, y1 - y0);
    const left = Math.max(x0, Math.min(cx - w / 2, x1 - w));
    const bottom = Math.max(y0, Math.min(cy - h / 2, y1 - h));
    const text = document.getElementById("mark-text");
    try {
      const m = await api("POST", `/api/v1/documents/${doc}/signature-box`, {
        page, rect: [left, bottom, left + w, bottom + h],
      });
      root.dataset.mark = [m.page - 1, ...m.rect].join(" ");
      text.textContent = `Trang ${m.page}: [${m.rect.map(Math.round).join(" ")}]`;
      show();
    } catch (e) {
      text.textContent = e.message;
    }
  });
}

// --- the leader's signature ----------------------------------------------------------------
function b64(bytes) {
  return btoa(String.fromCharCode(...bytes));
}

// The agent's certificate the leader chose: pairs first when a code was typed, fills the
// certificate list once. `ids` names the page's controls (code input and label, list, label).
async function agentCertificate(ids) {
  const agent = await import("/static/agent.js");
  const code = document.getElementById(ids.code)?.value.trim();
  if (code) await agent.pair(AGENT, code);
  let certificates;
  try {
    certificates = await agent.listCertificates(AGENT);
  } catch (e) {
    if (e.code === "unpaired_origin" || e.status === 0) {
      document.getElementById(ids.codeLabel).hidden = false;
      throw new Error("Hãy chạy phần mềm ký (signet agent) và nhập mã ghép nối nó hiển thị / start the signing agent and enter the pairing code it shows");
    }
    throw e;
  }
  if (!certificates?.length) throw new Error("Không tìm thấy chứng thư trên USB token / no certificate on the token");
  const select = document.getElementById(ids.cert);
  if (!select.options.length) {
    for (const c of certificates) select.add(new Option(`${c.label} — ${c.subject}`, c.id));
    document.getElementById(ids.certLabel).hidden = false;
  }
  const chosen = certificates.find((c) => c.id === select.value) || certificates[0];
  return { agent, chosen, chain: [chosen.der, ...(chosen.chain || [])] };
}

const DOC_CONTROLS = { code: "agent-code", codeLabel: "agent-code-label", cert: "sign-cert", certLabel: "sign-cert-label" };

// `role`: "personal" (the leader signs) or "initial" (a reviewer's ký nháy, issue 13 §2).
async function signWithAgent(status, pin, controls = DOC_CONTROLS, role = "personal") {
  const { agent, chosen, chain } = await agentCertificate(controls);
  status.textContent = "Đang chuẩn bị… / Preparing…";
  const p = await api("POST", `/api/v1/documents/${doc}/signatures/prepare`, {
    role, device: "agent", certificate_chain: chain,
  });
  status.textContent = "Xác nhận trên thiết bị… / Confirm on the device…";
  const context = { origin_label: location.origin, documents: [{ notation: "", subject: document.title }] };
  const s = await agent.signDigests(AGENT, { certificateId: chosen.id, pin, digests: p.digests, context });
  return api("POST", `/api/v1/signatures/${p.pending_id}/complete`, {
    signatures: s.signatures, certificate_chain: chain,
  });
}

// One request to the phone for `ids`, polled until the phone approved (or refused: 4xx).
// `role`: "personal" (the leader signs) or "initial" (a reviewer's ký nháy of one draft).
async function signWithPhone(status, ids, role = "personal") {
  status.textContent = "Đã gửi yêu cầu tới điện thoại, hãy xác nhận trên điện thoại… / Sent to your phone: approve it there…";
  const r = await api("POST", "/api/v1/signatures/remote", { document_ids: ids, role });
  for (;;) {
    const o = await api("POST", `/api/v1/signatures/remote/${r.request_id}`, { pending_ids: r.pending_ids });
    if (o.state !== "pending") return o;
    await new Promise((ok) => setTimeout(ok, 1500));
  }
}

function setupSigning() {
  const button = document.getElementById("sign-button");
  if (!button) return;
  const status = document.getElementById("sign-status");
  button.addEventListener("click", async () => {
    const device = document.getElementById("sign-device").value;
    const pin = document.getElementById("sign-pin").value;
    button.disabled = true;
    try {
      if (device === "agent") await signWithAgent(status, pin);
      else await signWithPhone(status, [doc]);
      status.textContent = "Đã ký / Signed";
      location.reload();
    } catch (e) {
      status.textContent = e.message;
    } finally {
      button.disabled = false;
    }
  });
}

// --- a reviewer's ký nháy (approve and initial the draft with the USB token or the phone) ---
const INITIAL_CONTROLS = {
  code: "initial-agent-code", codeLabel: "initial-agent-code-label", cert: "initial-cert", certLabel: "initial-cert-label",
};

function setupInitial() {
  const button = document.getElementById("initial-button");
  if (!button) return;
  document.getElementById("initial-controls").hidden = false;
  const status = document.getElementById("initial-status");
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      if (document.getElementById("initial-device").value === "phone") await signWithPhone(status, [doc], "initial");
      else await signWithAgent(status, document.getElementById("initial-pin").value, INITIAL_CONTROLS, "initial");
      status.textContent = "Đã ký nháy / Initialled";
      location.reload();
    } catch (e) {
      status.textContent = e.message;
    } finally {
      button.disabled = false;
    }
  });
}

// --- the batch page ------------------------------------------------------------------------
const BATCH_CONTROLS = {
  code: "batch-agent-code", codeLabel: "batch-agent-code-label", cert: "batch-cert", certLabel: "batch-cert-label",
};

// Every document prepared, the N digests signed by the agent after one PIN, then each
// document completed (each its own transaction: one refused leaves the others signed).
async function signBatchWithAgent(status, ids, subjects, pin) {
  const { agent, chosen, chain } = await agentCertificate(BATCH_CONTROLS);
  status.textContent = `Đang chuẩn bị ${ids.length} văn bản… / Preparing ${ids.length} documents…`;
  const p = await api("POST", "/api/v1/signatures/prepare-batch", {
    document_ids: ids, role: "personal", device: "agent", certificate_chain: chain,
  });
  status.textContent = "Xác nhận trên thiết bị… / Confirm on the device…";
  const context = { origin_label: location.origin, documents: subjects.map((subject) => ({ notation: "", subject })) };
  const s = await agent.signDigests(AGENT, { certificateId: chosen.id, pin, digests: p.digests, context });
  if (s.signatures?.length !== p.signatures.length) throw new Error("Phần mềm ký trả lời thiếu chữ ký / the agent answered too few signatures");
  for (const [i, prepared] of p.signatures.entries()) {
    status.textContent = `Đang hoàn tất ${i + 1}/${ids.length}… / Completing ${i + 1}/${ids.length}…`;
    await api("POST", `/api/v1/signatures/${prepared.pending_id}/complete`, {
      signatures: [s.signatures[i]], certificate_chain: chain,
    });
  }
}

function setupBatch() {
  const form = document.getElementById("batch-sign-form");
  const button = document.getElementById("batch-sign-device");
  if (!form || !button) return;
  batchRoot.hidden = false;
  const status = document.getElementById("batch-status");
  const device = document.getElementById("batch-device");
  const agentOnly = document.querySelectorAll(".batch-agent-only");
  const showDevice = () => agentOnly.forEach((e) => { e.hidden = device.value !== "agent"; });
  device.addEventListener("change", showDevice);
  showDevice();
  button.addEventListener("click", async () => {
    const boxes = [...form.querySelectorAll("input[name=document_ids]:checked")];
    const ids = boxes.map((b) => b.value);
    if (!ids.length) {
      status.textContent = "Chọn ít nhất một văn bản / select at least one document";
      return;
    }
    const subjects = boxes.map((b) => document.querySelector(`label[for="${b.id}"]`)?.textContent || "");
    button.disabled = true;
    try {
      if (device.value === "agent") {
        await signBatchWithAgent(status, ids, subjects, document.getElementById("batch-agent-pin").value);
      } else {
        await signWithPhone(status, ids);
      }
      status.textContent = "Đã ký / Signed";
      location.assign(`/signing-batch?done=${ids.length}`);
    } catch (e) {
      status.textContent = e.message;
      button.disabled = false;
    }
  });
}

if (root) {
  setupPreview();
  setupSigning();
  setupInitial();
}
if (batchRoot) setupBatch();
