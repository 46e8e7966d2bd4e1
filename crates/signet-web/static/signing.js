// The document page's signing (issue 9): mark the leader's box on a proportional preview of
// the page, and sign with a device — the USB token through the local agent, or the phone.
// The PIN goes to the device only; the server sees digests and signatures.
const AGENT = "http://127.0.0.1:8765";
const root = document.getElementById("signing");
const doc = root?.dataset.doc;
const csrf = root?.dataset.csrf;

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

async function signWithAgent(status, pin) {
  const agent = await import("/static/agent.js");
  const code = document.getElementById("agent-code")?.value.trim();
  if (code) await agent.pair(AGENT, code);
  let certificates;
  try {
    certificates = await agent.listCertificates(AGENT);
  } catch (e) {
    if (e.code === "unpaired_origin" || e.status === 0) {
      document.getElementById("agent-code-label").hidden = false;
      throw new Error("Hãy chạy phần mềm ký (signet agent) và nhập mã ghép nối nó hiển thị / start the signing agent and enter the pairing code it shows");
    }
    throw e;
  }
  if (!certificates?.length) throw new Error("Không tìm thấy chứng thư trên USB token / no certificate on the token");
  const select = document.getElementById("sign-cert");
  if (!select.options.length) {
    for (const c of certificates) select.add(new Option(`${c.label} — ${c.subject}`, c.id));
    document.getElementById("sign-cert-label").hidden = false;
  }
  const chosen = certificates.find((c) => c.id === select.value) || certificates[0];
  const chain = [chosen.der, ...(chosen.chain || [])];
  status.textContent = "Đang chuẩn bị… / Preparing…";
  const p = await api("POST", `/api/v1/documents/${doc}/signatures/prepare`, {
    role: "personal", device: "agent", certificate_chain: chain,
  });
  status.textContent = "Xác nhận trên thiết bị… / Confirm on the device…";
  const context = { origin_label: location.origin, documents: [{ notation: "", subject: document.title }] };
  const s = await agent.signDigests(AGENT, { certificateId: chosen.id, pin, digests: p.digests, context });
  return api("POST", `/api/v1/signatures/${p.pending_id}/complete`, {
    signatures: s.signatures, certificate_chain: chain,
  });
}

async function signWithPhone(status) {
  status.textContent = "Đã gửi yêu cầu tới điện thoại, hãy xác nhận trên điện thoại… / Sent to your phone: approve it there…";
  const r = await api("POST", "/api/v1/signatures/remote", { document_ids: [doc] });
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
      else await signWithPhone(status);
      status.textContent = "Đã ký / Signed";
      location.reload();
    } catch (e) {
      status.textContent = e.message;
    } finally {
      button.disabled = false;
    }
  });
}

if (root) {
  setupPreview();
  setupSigning();
}
