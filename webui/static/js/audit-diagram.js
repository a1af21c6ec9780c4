// The auditor's diagram: the case's own process version in bpmn-js's NavigatedViewer
// (read-only; the bpmn.io watermark stays, as its licence asks), marked with the path the
// case took up to one event of its log. Trước / Sau, the slider or a row's number move
// that event; the row of the event shown is highlighted.
const data = JSON.parse(document.getElementById("audit-diagram-data").textContent);
const container = document.getElementById("diagram");
const slider = document.querySelector('[data-testid="step-slider"]');
const label = document.querySelector('[data-testid="step-label"]');
const back = document.querySelector('[data-step-move="-1"]');
const forward = document.querySelector('[data-step-move="1"]');
const rows = [...document.querySelectorAll("tr[data-step]")];
const viewer = new window.BpmnJS({ container });
let marked = [];

function show(index) {
  const step = data.steps[index];
  const canvas = viewer.get("canvas");
  const registry = viewer.get("elementRegistry");
  for (const [id, mark] of marked) canvas.removeMarker(id, mark);
  marked = [];
  const mark = (ids, name) => {
    for (const id of ids) {
      if (!registry.get(id)) continue; // an element without a drawing (no shape in the diagram)
      canvas.addMarker(id, name);
      marked.push([id, name]);
    }
  };
  mark([...step.done, ...step.flows], "qlvb-done");
  mark(step.open, "qlvb-open");
  mark(step.moved, "qlvb-moved");
  slider.value = String(index);
  container.dataset.step = String(index);
  back.disabled = index === 0;
  forward.disabled = index === data.steps.length - 1;
  for (const row of rows) row.classList.toggle("current", row.dataset.step === String(index));
  const action = rows[index] ? rows[index].cells[2].textContent.trim() : "";
  label.textContent = `${index + 1} / ${data.steps.length}: ${action}`;
}

// The heatmap of the process in the auditor's agency: per task, the cases that passed it and
// the median and p90 hours it stayed open.
function heatmap(on) {
  const overlays = viewer.get("overlays");
  const registry = viewer.get("elementRegistry");
  overlays.remove({ type: "heat" });
  if (!on) return;
  for (const [id, heat] of Object.entries(data.heat || {})) {
    if (!registry.get(id)) continue;
    const badge = document.createElement("span");
    badge.className = "heat-badge";
    badge.dataset.element = id;
    badge.textContent = container.dataset.textHeat.replace("{n}", heat.cases)
      .replace("{median}", heat.median_hours).replace("{p90}", heat.p90_hours);
    overlays.add(id, "heat", { position: { bottom: 0, left: 0 }, html: badge });
  }
}

async function start() {
  await viewer.importXML(data.xml);
  viewer.get("canvas").zoom("fit-viewport");
  if (!data.steps.length) return;
  const clamp = (i) => Math.max(0, Math.min(data.steps.length - 1, i));
  back.addEventListener("click", () => show(clamp(Number(slider.value) - 1)));
  forward.addEventListener("click", () => show(clamp(Number(slider.value) + 1)));
  slider.addEventListener("input", () => show(clamp(Number(slider.value))));
  for (const button of document.querySelectorAll("[data-step-go]")) {
    button.addEventListener("click", () => show(clamp(Number(button.dataset.stepGo))));
  }
  const heatButton = document.querySelector('[data-action="heatmap"]');
  heatButton.addEventListener("click", () => {
    const on = heatButton.getAttribute("aria-pressed") !== "true";
    heatButton.setAttribute("aria-pressed", String(on));
    heatmap(on);
  });
  show(data.steps.length - 1);
  container.dataset.ready = "1";
}

start();
