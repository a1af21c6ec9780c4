// Shows a document's PDF in the page with pdf.js: each page drawn on a canvas, as wide as the panel.
import * as pdfjs from "../vendor/pdfjs/pdf.min.mjs";

const vendor = new URL("../vendor/pdfjs/", import.meta.url);
pdfjs.GlobalWorkerOptions.workerSrc = new URL("pdf.worker.min.mjs", vendor).href;
const MAX_PAGES = 50; // a longer document is read after downloading it

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
      const page = await pdf.getPage(number);
      const scale = Math.max(pages.clientWidth - 2, 300) / page.getViewport({ scale: 1 }).width;
      const viewport = page.getViewport({ scale: scale * (window.devicePixelRatio || 1) });
      const canvas = document.createElement("canvas");
      canvas.width = Math.floor(viewport.width);
      canvas.height = Math.floor(viewport.height);
      canvas.dataset.page = String(number);
      pages.append(canvas);
      await page.render({ canvas, canvasContext: canvas.getContext("2d"), viewport }).promise;
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
