// Reading a PDF on the page (issue 13 §5): pdf.js renders the pages (lazily, as they scroll
// into view), the signature fields are drawn over them with the verdicts the server found,
// and a search box finds words with or without Vietnamese marks ("ky so" finds "ký số").
// Without this script the page still links the file for download.
const root = document.getElementById("pdf-viewer");
const vi = root?.dataset.lang !== "en";
const T = (v, e) => (vi ? v : e);
const $ = (id) => document.getElementById(id);

const ZOOM_STEP = 1.25;
const MIN_SCALE = 0.25;
const MAX_SCALE = 5;

// Folds case and Vietnamese marks, so a query typed without them still matches.
function fold(s) {
  return s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/[đĐ]/g, "d").toLowerCase();
}

function verdicts() {
  const out = new Map();
  for (const li of document.querySelectorAll("#viewer-verdicts li")) {
    out.set(li.dataset.field, { verdict: li.dataset.verdict, signer: li.dataset.signer });
  }
  return out;
}

function verdictWords(v) {
  if (!v) return { cls: "sig-unknown", text: T("Chữ ký số (chưa kiểm tra)", "Digital signature (not checked)") };
  if (v.verdict === "TOTAL-PASSED") return { cls: "sig-valid", text: T("Hợp lệ", "Valid") };
  if (v.verdict === "TOTAL-FAILED") return { cls: "sig-invalid", text: T("Không hợp lệ", "Invalid") };
  return { cls: "sig-unknown", text: T("Chưa đủ cơ sở kết luận", "Indeterminate") };
}

class Viewer {
  constructor(pdf, box) {
    this.pdf = pdf;
    this.box = box;
    this.scale = 1;
    this.fit = true;
    this.pages = []; // { div, page, rendered }
    this.text = new Map(); // page index -> text items
    this.hits = [];
    this.hit = -1;
    this.known = verdicts();
    this.observer = new IntersectionObserver((entries) => {
      for (const e of entries) if (e.isIntersecting) this.render(Number(e.target.dataset.index));
    }, { rootMargin: "400px 0px" });
  }

  async layout() {
    const width = this.box.clientWidth || 600;
    for (let i = 0; i < this.pdf.numPages; i++) {
      const page = this.pages[i]?.page ?? (await this.pdf.getPage(i + 1));
      if (i === 0 && this.fit) this.scale = Math.min(MAX_SCALE, width / page.getViewport({ scale: 1 }).width);
      let entry = this.pages[i];
      if (!entry) {
        const div = document.createElement("div");
        div.className = "pdf-page";
        div.dataset.index = String(i);
        div.setAttribute("aria-label", `${T("Trang", "Page")} ${i + 1}`);
        this.box.appendChild(div);
        entry = this.pages[i] = { div, page, rendered: 0 };
        this.observer.observe(div);
      }
      const vp = page.getViewport({ scale: this.scale });
      entry.div.style.width = `${Math.floor(vp.width)}px`;
      entry.div.style.height = `${Math.floor(vp.height)}px`;
      entry.rendered = 0;
      entry.div.replaceChildren();
    }
    $("viewer-zoom").textContent = `${Math.round(this.scale * 100)}%`;
    // Pages already in view are drawn again at the new scale.
    for (const [i, e] of this.pages.entries()) {
      const r = e.div.getBoundingClientRect();
      if (r.bottom > -400 && r.top < innerHeight + 400) this.render(i);
    }
  }

  async render(i) {
    const entry = this.pages[i];
    if (!entry || entry.rendered === this.scale) return;
    entry.rendered = this.scale;
    const vp = entry.page.getViewport({ scale: this.scale });
    const ratio = window.devicePixelRatio || 1;
    const canvas = document.createElement("canvas");
    canvas.width = Math.floor(vp.width * ratio);
    canvas.height = Math.floor(vp.height * ratio);
    canvas.style.width = `${Math.floor(vp.width)}px`;
    canvas.style.height = `${Math.floor(vp.height)}px`;
    const overlay = document.createElement("div");
    overlay.className = "pdf-overlay";
    entry.div.replaceChildren(canvas, overlay);
    const transform = ratio === 1 ? null : [ratio, 0, 0, ratio, 0, 0];
    try {
      await entry.page.render({ canvas, canvasContext: canvas.getContext("2d"), viewport: vp, transform }).promise;
    } catch (e) {
      if (entry.rendered === this.scale) overlay.textContent = String(e?.message || e);
      return;
    }
    if (entry.rendered !== this.scale) return; // zoomed meanwhile
    canvas.dataset.rendered = "1";
    await this.drawSignatures(entry.page, vp, overlay);
    this.drawHits(i, vp, overlay);
  }

  async drawSignatures(page, vp, overlay) {
    const annotations = await page.getAnnotations({ intent: "display" });
    for (const a of annotations) {
      if (a.fieldType !== "Sig" || !a.rect) continue;
      const [x0, y0, x1, y1] = vp.convertToViewportRectangle(a.rect);
      const w = Math.abs(x1 - x0), h = Math.abs(y1 - y0);
      if (w < 2 || h < 2) continue; // an invisible signature
      const v = verdictWords(this.known.get(a.fieldName));
      const known = this.known.get(a.fieldName);
      const div = document.createElement("div");
      div.className = `sig-box ${v.cls}`;
      div.dataset.field = a.fieldName || "";
      Object.assign(div.style, {
        left: `${Math.min(x0, x1)}px`, top: `${Math.min(y0, y1)}px`, width: `${w}px`, height: `${h}px`,
      });
      const label = document.createElement("span");
      label.className = "sig-label";
      label.textContent = known?.signer ? `${v.text} · ${known.signer}` : v.text;
      div.title = label.textContent;
      div.appendChild(label);
      overlay.appendChild(div);
    }
  }

  async textOf(i) {
    if (!this.text.has(i)) {
      const content = await this.pages[i].page.getTextContent();
      this.text.set(i, content.items.filter((it) => typeof it.str === "string" && it.str));
    }
    return this.text.get(i);
  }

  async search(query) {
    const q = fold(query.trim());
    this.hits = [];
    this.hit = -1;
    if (q) {
      for (let i = 0; i < this.pages.length; i++) {
        for (const item of await this.textOf(i)) {
          const s = fold(item.str);
          for (let at = s.indexOf(q); at >= 0; at = s.indexOf(q, at + q.length)) {
            this.hits.push({ page: i, item, from: at / s.length, to: (at + q.length) / s.length });
          }
        }
      }
    }
    $("viewer-found").textContent = q
      ? (this.hits.length ? `${this.hits.length} ${T("kết quả", "found")}` : T("Không tìm thấy", "Not found"))
      : "";
    for (const e of this.pages) e.rendered = 0;
    await this.layout();
    if (this.hits.length) this.next();
  }

  next() {
    if (!this.hits.length) return;
    this.hit = (this.hit + 1) % this.hits.length;
    const h = this.hits[this.hit];
    this.goTo(h.page + 1);
  }

  drawHits(i, vp, overlay) {
    for (const [n, h] of this.hits.entries()) {
      if (h.page !== i) continue;
      const [, b, , d, e, f] = h.item.transform;
      const height = h.item.height || Math.hypot(b, d);
      const x = e + h.item.width * h.from;
      const rect = vp.convertToViewportRectangle([x, f, e + h.item.width * h.to, f + height]);
      const mark = document.createElement("div");
      mark.className = n === this.hit ? "pdf-hit pdf-hit-current" : "pdf-hit";
      Object.assign(mark.style, {
        left: `${Math.min(rect[0], rect[2])}px`, top: `${Math.min(rect[1], rect[3])}px`,
        width: `${Math.abs(rect[2] - rect[0])}px`, height: `${Math.abs(rect[3] - rect[1])}px`,
      });
      overlay.appendChild(mark);
    }
  }

  goTo(n) {
    const i = Math.max(1, Math.min(this.pages.length, n)) - 1;
    $("viewer-page").value = String(i + 1);
    this.pages[i]?.div.scrollIntoView({ block: "start" });
    this.render(i);
  }

  zoom(factor) {
    this.fit = false;
    this.scale = Math.max(MIN_SCALE, Math.min(MAX_SCALE, this.scale * factor));
    this.layout();
  }
}

async function main() {
  if (!root) return;
  const status = $("viewer-status");
  status.textContent = T("Đang tải văn bản…", "Loading the document…");
  let pdfjs;
  try {
    pdfjs = await import(`${root.dataset.pdfjs}/pdf.min.mjs`);
    pdfjs.GlobalWorkerOptions.workerSrc = `${root.dataset.pdfjs}/pdf.worker.min.mjs`;
    const pdf = await pdfjs.getDocument({ url: root.dataset.file, isEvalSupported: false }).promise;
    const viewer = new Viewer(pdf, $("viewer-pages-box"));
    $("viewer-pages").textContent = String(pdf.numPages);
    $("viewer-page").max = String(pdf.numPages);
    document.querySelector(".viewer-toolbar").hidden = false;
    status.hidden = true;
    await viewer.layout();
    $("viewer-prev").addEventListener("click", () => viewer.goTo(Number($("viewer-page").value) - 1));
    $("viewer-next").addEventListener("click", () => viewer.goTo(Number($("viewer-page").value) + 1));
    $("viewer-page").addEventListener("change", () => viewer.goTo(Number($("viewer-page").value)));
    $("viewer-zoom-in").addEventListener("click", () => viewer.zoom(ZOOM_STEP));
    $("viewer-zoom-out").addEventListener("click", () => viewer.zoom(1 / ZOOM_STEP));
    $("viewer-fit").addEventListener("click", () => { viewer.fit = true; viewer.layout(); });
    let lastQuery = "";
    $("viewer-search").addEventListener("submit", (ev) => {
      ev.preventDefault();
      const q = $("viewer-query").value;
      if (q === lastQuery && viewer.hits.length) viewer.next();
      else viewer.search(q);
      lastQuery = q;
    });
    let resized;
    addEventListener("resize", () => {
      clearTimeout(resized);
      resized = setTimeout(() => viewer.fit && viewer.layout(), 200);
    });
    root.dataset.ready = "1";
  } catch (e) {
    status.hidden = false;
    status.textContent = `${T("Không mở được tệp trên trang", "The file could not be shown")}: ${e?.message || e}`;
  }
}

main();
