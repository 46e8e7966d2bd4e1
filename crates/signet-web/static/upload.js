// Big files on forms (issue 13 §5): the file goes first, in 8 MB pieces over tus
// (/api/v1/uploads), with a progress bar and a cancel button; when the network drops the
// script asks the server how much arrived and goes on from there, also after the page is
// reloaded and the same file chosen again. Then the form is sent with the upload's id in
// place of the file. Without this script the form sends the file itself.
const PIECE = 8 * 1024 * 1024;
const RETRIES = 30;
const API = "/api/v1/uploads";

const vi = document.documentElement.lang !== "en";
const T = (v, e) => (vi ? v : e);
const mb = (n) => (n / 1048576).toLocaleString(vi ? "vi-VN" : "en", { maximumFractionDigits: 1 });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

class Stopped extends Error {}

function b64(text) {
  return btoa(String.fromCharCode(...new TextEncoder().encode(text)));
}

class Upload {
  constructor(form, file) {
    this.form = form;
    this.file = file;
    this.csrf = form.querySelector('input[name="csrf"]')?.value ?? "";
    this.key = `signet-upload:${file.name}:${file.size}:${file.lastModified}`;
    this.xhr = null;
    this.stopped = false;
  }

  headers(extra = {}) {
    return { "Tus-Resumable": "1.0.0", "X-CSRF-Token": this.csrf, ...extra };
  }

  // An earlier try of the same file: how much of it the server has (null: start anew).
  async resume() {
    const url = localStorage.getItem(this.key);
    if (!url) return null;
    const r = await fetch(url, { method: "HEAD", headers: this.headers(), credentials: "same-origin" });
    if (!r.ok) {
      localStorage.removeItem(this.key);
      return null;
    }
    this.url = url;
    return Number(r.headers.get("Upload-Offset"));
  }

  async start() {
    const r = await fetch(API, {
      method: "POST",
      credentials: "same-origin",
      headers: this.headers({ "Upload-Length": String(this.file.size), "Upload-Metadata": `filename ${b64(this.file.name)}` }),
    });
    if (r.status !== 201) throw new Error(await reason(r));
    this.url = r.headers.get("Location");
    localStorage.setItem(this.key, this.url);
    return 0;
  }

  // One piece from `offset`; resolves with the server's new offset.
  piece(offset, progress) {
    return new Promise((ok, fail) => {
      const xhr = (this.xhr = new XMLHttpRequest());
      xhr.open("PATCH", this.url);
      for (const [k, v] of Object.entries(this.headers({ "Upload-Offset": String(offset) }))) xhr.setRequestHeader(k, v);
      xhr.setRequestHeader("Content-Type", "application/offset+octet-stream");
      xhr.upload.onprogress = (e) => progress(offset + e.loaded);
      xhr.onload = () => {
        if (xhr.status === 204) ok(Number(xhr.getResponseHeader("Upload-Offset")));
        else fail(Object.assign(new Error(errorText(xhr.responseText) || xhr.statusText), { status: xhr.status }));
      };
      xhr.onerror = () => fail(Object.assign(new Error(T("Mất kết nối", "Connection lost")), { status: 0 }));
      xhr.onabort = () => fail(new Stopped());
      xhr.send(this.file.slice(offset, Math.min(this.file.size, offset + PIECE)));
    });
  }

  async offsetNow() {
    const r = await fetch(this.url, { method: "HEAD", headers: this.headers(), credentials: "same-origin" });
    if (!r.ok) throw new Error(T("Phiên tải lên không còn trên máy chủ", "The upload is gone from the server"));
    return Number(r.headers.get("Upload-Offset"));
  }

  // Sends the whole file, resuming after each network failure; the upload's id at the end.
  async run(progress, waiting) {
    let offset = (await this.resume()) ?? (await this.start());
    let failures = 0;
    while (offset < this.file.size) {
      if (this.stopped) throw new Stopped();
      try {
        offset = await this.piece(offset, progress);
        failures = 0;
      } catch (e) {
        if (e instanceof Stopped) throw e;
        // A refusal (wrong type, too big, not allowed) is final; a broken network or a
        // busy server is waited out, and the upload goes on from what arrived.
        if (e.status >= 400 && e.status < 500 && e.status !== 409 && e.status !== 429) throw e;
        if (++failures > RETRIES) throw e;
        waiting(e.message);
        await sleep(Math.min(30_000, 1000 * 2 ** Math.min(failures - 1, 5)));
        offset = await this.offsetNow().catch(() => offset);
      }
      progress(offset);
    }
    return this.url.split("/").pop();
  }

  async cancel() {
    this.stopped = true;
    this.xhr?.abort();
    localStorage.removeItem(this.key);
    if (this.url) await fetch(this.url, { method: "DELETE", headers: this.headers(), credentials: "same-origin" }).catch(() => {});
  }
}

function errorText(body) {
  try {
    return JSON.parse(body).error?.message;
  } catch {
    return "";
  }
}

async function reason(r) {
  return errorText(await r.text()) || r.statusText;
}

function panel(form) {
  let box = form.querySelector(".upload-progress");
  if (box) return box;
  box = document.createElement("div");
  box.className = "upload-progress";
  box.innerHTML = `<progress max="100" value="0"></progress> <span class="upload-text" aria-live="polite"></span>
    <button type="button" class="secondary upload-cancel"></button>`;
  box.querySelector(".upload-cancel").textContent = T("Hủy tải lên", "Cancel upload");
  form.querySelector('button[type="submit"]')?.before(box);
  return box;
}

function attach(form) {
  const input = form.querySelector('input[type="file"]');
  if (!input) return;
  form.addEventListener("submit", async (ev) => {
    const file = input.files?.[0];
    if (!file || form.dataset.sending) return;
    ev.preventDefault();
    const button = form.querySelector('button[type="submit"]');
    const box = panel(form);
    const bar = box.querySelector("progress");
    const text = box.querySelector(".upload-text");
    const up = new Upload(form, file);
    box.hidden = false;
    button.disabled = true;
    form.dataset.sending = "1";
    box.querySelector(".upload-cancel").onclick = async () => {
      await up.cancel();
      text.textContent = T("Đã hủy tải lên.", "Upload cancelled.");
    };
    const progress = (sent) => {
      bar.value = file.size ? Math.floor((100 * sent) / file.size) : 100;
      text.textContent = `${T("Đang tải lên", "Uploading")} ${bar.value}% (${mb(sent)} / ${mb(file.size)} MB)`;
    };
    const waiting = (why) => { text.textContent = `${why} — ${T("đang thử lại…", "retrying…")}`; };
    try {
      const id = await up.run(progress, waiting);
      bar.value = 100;
      text.textContent = T("Đã tải lên, đang lưu…", "Uploaded, saving…");
      const hidden = document.createElement("input");
      hidden.type = "hidden";
      hidden.name = "upload";
      hidden.value = id;
      form.appendChild(hidden);
      input.disabled = true; // the file went already; the form names its upload
      localStorage.removeItem(up.key);
      form.submit();
    } catch (e) {
      if (!(e instanceof Stopped)) text.textContent = `${T("Không tải lên được", "Upload failed")}: ${e.message}`;
      button.disabled = false;
      delete form.dataset.sending;
    }
  });
}

for (const form of document.querySelectorAll("form[data-resumable]")) attach(form);
