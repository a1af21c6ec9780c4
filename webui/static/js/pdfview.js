// Shows a document's PDF in the page with pdf.js: each page drawn on a canvas, as wide as the panel,
// under its text layer (transparent text at the place of the printed text), so that the text can be
// selected and copied and the browser's find (Ctrl+F) finds a số ký hiệu or a phrase in it.
import * as pdfjs from "../vendor/pdfjs/pdf.min.mjs";

const vendor = new URL("../vendor/pdfjs/", import.meta.url);
pdfjs.GlobalWorkerOptions.workerSrc = new URL("pdf.worker.min.mjs", vendor).href;
const MAX_PAGES = 50; // a longer document is read after downloading it

async function showPage(pdf, number, pages) {
  const page = await pdf.getPage(number);
  // The width inside the scroll box's padding: a page as wide as clientWidth would push the box, and
  // on a phone the whole column, past the screen.
  const style = getComputedStyle(pages);
  const inner = pages.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  const scale = Math.max(inner - 2, 200) / page.getViewport({ scale: 1 }).width;
  const viewport = page.getViewport({ scale }); // CSS pixels: the text layer's
  const ratio = window.devicePixelRatio || 1;
  const box = document.createElement("div");
  box.className = "pdf-page";
  box.dataset.page = String(number);
  box.style.setProperty("--scale-factor", String(scale));
  box.style.width = `${Math.floor(viewport.width)}px`;
  box.style.height = `${Math.floor(viewport.height)}px`;
  const canvas = document.createElement("canvas");
  canvas.width = Math.floor(viewport.width * ratio);
  canvas.height = Math.floor(viewport.height * ratio);
  canvas.dataset.page = String(number);
  canvas.setAttribute("aria-hidden", "true"); // the text layer above carries the text
  const text = document.createElement("div");
  text.className = "textLayer";
  box.append(canvas, text);
  pages.append(box);
  await page.render({
    canvas, canvasContext: canvas.getContext("2d"),
    viewport: page.getViewport({ scale: scale * ratio }),
  }).promise;
  await new pdfjs.TextLayer({ textContentSource: page.streamTextContent(), container: text, viewport }).render();
}

async function show(box) {
  const status = box.querySelector(".pdf-status");
  const pages = box.querySelector(".pdf-pages");
  try {
    const pdf = await pdfjs.getDocument({
      url: box.dataset.pdf,
      isEvalSupported: false, // the pages' Content-Security-Policy forbids eval
      cMapUrl: new URL("cmaps/", vendor).href,
      cMapPacked: true,
      standardFontDataUrl: new URL("standard_fonts/", vendor).href,
    }).promise;
    status.textContent = box.dataset.pagesLabel.replace("%s", pdf.numPages);
    const count = Math.min(pdf.numPages, MAX_PAGES);
    for (let number = 1; number <= count; number++) {
      await showPage(pdf, number, pages);
    }
    box.dataset.rendered = String(count);
  } catch (error) {
    status.textContent = box.dataset.errorLabel;
    box.dataset.rendered = "error";
    console.error(error);
  }
}

for (const box of document.querySelectorAll("[data-pdf]")) {
  show(box);
}
