// The entry page while the worker recognises a scan: the progress is asked every two seconds
// and the page reloaded, filled with what was read, once it is done (or failed). Fields filled
// from the scan are marked until the clerk edits them.
const watched = document.querySelector("[data-scan-progress]");
if (watched) {
  const bar = watched.querySelector("progress");
  const status = watched.querySelector("[role=status]");
  const ask = async () => {
    try {
      const response = await fetch(watched.dataset.scanProgress, { headers: { Accept: "application/json" } });
      if (response.ok) {
        const state = await response.json();
        bar.max = state.pages;
        bar.value = state.pages_done;
        status.textContent = watched.dataset.label.replace("{done}", state.pages_done).replace("{pages}", state.pages);
        if (state.status === "done" || state.status === "failed") {
          window.location.reload();
          return;
        }
      }
    } catch {
      // the server is restarting: ask again
    }
    setTimeout(ask, 2000);
  };
  setTimeout(ask, 2000);
}
const form = document.querySelector("form[data-prefilled]");
for (const name of (form ? form.dataset.prefilled.split(" ").filter(Boolean) : [])) {
  const input = form.elements[name];
  if (input && input.classList) {
    input.classList.add("prefilled");
    input.title = form.dataset.prefilledLabel;
    input.addEventListener("input", () => input.classList.remove("prefilled"), { once: true });
  }
}
