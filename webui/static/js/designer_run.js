// The designer's dry run (chạy thử: the diagram being edited run by the server in memory, with
// the start data and the choices for each task given here; who would receive each step is
// listed and the path taken is marked on the diagram), the import and export of .bpmn files,
// and the heatmap (per task: cases passed, median and p90 hours open).
(() => {
  const shared = window.qlvbDesigner;
  if (!shared) return;
  const { modeler, root, post, work, text, say } = shared;
  const $ = (selector) => root.querySelector(selector);
  const registry = modeler.get("elementRegistry");
  const canvas = modeler.get("canvas");
  const overlays = modeler.get("overlays");
  const HUMAN = new Set(["bpmn:UserTask", "bpmn:ManualTask"]);
  let onPath = [];

  // --- the choices per task -----------------------------------------------------------------
  function choices(schema) {
    const found = [];
    for (const [name, field] of Object.entries((schema && schema.properties) || {})) {
      const values = field.enum || (field.oneOf || []).map((o) => o.const).filter((v) => v !== undefined);
      if (!values.length) continue;
      const named = field["x-enumTitles"] || {};
      const titles = values.map((v) => named[v] || (field.oneOf || []).find((o) => o.const === v)?.title);
      found.push({ name, title: field.title || name, options: values.map((v, i) => [v, titles[i] || v]) });
    }
    return found;
  }

  function answerRows() {
    const tasks = registry.filter((e) => HUMAN.has(e.type)).sort((a, b) => a.x - b.x || a.y - b.y);
    const before = answers(); // the choices made stay when the diagram changes
    const body = $(".run-answers tbody");
    body.replaceChildren(...tasks.map((task) => {
      const tr = document.createElement("tr");
      tr.dataset.task = task.id;
      const name = document.createElement("td");
      name.textContent = task.businessObject.name || task.id;
      const cell = document.createElement("td");
      const schema = shared.forms()[shared.propertyOf(task.businessObject, "formJsonSchemaFilename")];
      for (const choice of choices(schema)) {
        const select = document.createElement("select");
        select.dataset.field = choice.name;
        select.setAttribute("aria-label", `${name.textContent}: ${choice.title}`);
        select.append(new Option("–", ""), ...choice.options.map(([v, t]) => new Option(t, v)));
        select.value = ((before[task.id] || [{}])[0][choice.name]) || "";
        cell.append(select);
      }
      tr.append(name, cell);
      return tr;
    }));
  }

  function answers() {
    const found = {};
    root.querySelectorAll(".run-answers tbody tr").forEach((tr) => {
      const answer = {};
      tr.querySelectorAll("select").forEach((s) => { if (s.value) answer[s.dataset.field] = s.value; });
      found[tr.dataset.task] = [answer];
    });
    return found;
  }

  function markPath(moves) {
    onPath.forEach((id) => canvas.removeMarker(id, "run-path"));
    onPath = [];
    const mark = (id) => {
      if (registry.get(id) && !onPath.includes(id)) {
        canvas.addMarker(id, "run-path");
        onPath.push(id);
      }
    };
    for (const [from, to] of moves) {
      mark(from);
      mark(to);
      registry.filter((e) => e.type === "bpmn:SequenceFlow" && e.businessObject.sourceRef.id === from
        && e.businessObject.targetRef.id === to).forEach((flow) => mark(flow.id));
    }
  }

  function showRun(run) {
    const list = $(".run-steps");
    list.replaceChildren(...run.steps.map((step) => {
      const item = document.createElement("li");
      item.dataset.element = step.element;
      const chosen = step.answer ? Object.entries(step.answer).map(([k, v]) => `${k}=${v}`).join(", ") : "";
      const parts = [`${step.name}: ${step.people.join(", ") || text("textLaneNobody")}`];
      if (chosen) parts.push(chosen);
      if (step.action) parts.push(text("textRunAction", { action: step.action }));
      item.textContent = parts.join(" — ");
      return item;
    }));
    const state = $(".run-state");
    state.textContent = run.finished ? text("textRunFinished") : run.stopped;
    state.dataset.kind = run.finished ? "ok" : "warning";
    markPath(run.path);
  }

  // Every path: one line per path (the answers taken, how it ends); choosing one shows its steps
  // and marks it on the diagram.
  function showPaths(found) {
    const list = $(".run-paths");
    list.replaceChildren(...found.paths.map((run, index) => {
      const item = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "link";
      const answered = run.steps.filter((s) => s.answer && s.answer.decision)
        .map((s) => `${s.name}: ${s.answer.decision}`);
      button.textContent = text("textRunPath", { n: index + 1 });
      item.dataset.finished = String(run.finished);
      item.append(button, document.createTextNode(` ${answered.join(" → ")} — ${run.finished
        ? text("textRunPathEnd") : run.stopped}`));
      button.addEventListener("click", () => {
        list.querySelectorAll("li").forEach((li) => li.removeAttribute("aria-current"));
        item.setAttribute("aria-current", "true");
        showRun(run);
      });
      return item;
    }));
    const state = $(".run-state");
    state.textContent = text(found.truncated ? "textRunPathsTruncated" : "textRunPaths", { n: found.paths.length });
    state.dataset.kind = "ok";
    $(".run-steps").replaceChildren();
    markPath([]);
  }

  async function dryRun(all) {
    let data;
    try {
      data = JSON.parse($("#run-data").value || "{}");
    } catch (error) {
      $(".run-state").textContent = error.message;
      return;
    }
    const given = { ...(await work()), initiator: $("#run-initiator").value.trim(), data, answers: answers(), all };
    const { status, body } = await post(root.dataset.dryRun, given);
    if (status !== 200) {
      $(".run-state").textContent = body.error || text("textFailed");
      $(".run-state").dataset.kind = "error";
      if (body.problems) shared.showProblems(body.problems);
      return;
    }
    if (all) {
      showPaths(body);
    } else {
      $(".run-paths").replaceChildren();
      showRun(body);
    }
  }

  $('[data-action="dry-run"]').addEventListener("click", () => shared.act(() => dryRun(false)));
  $('[data-action="dry-run-all"]').addEventListener("click", () => shared.act(() => dryRun(true)));

  // --- import and export ----------------------------------------------------------------------
  $('[data-action="export"]').addEventListener("click", async () => {
    const { xml } = await modeler.saveXML({ format: true });
    const link = document.createElement("a");
    link.href = URL.createObjectURL(new Blob([xml], { type: "application/xml" }));
    link.download = `${root.dataset.process}.bpmn`;
    link.click();
    URL.revokeObjectURL(link.href);
  });

  $(".import-file").addEventListener("change", async (event) => {
    const file = event.target.files[0];
    if (!file) return;
    try {
      await modeler.importXML(await file.text());
      canvas.zoom("fit-viewport");
      root.dataset.dirty = "1";
      say(text("textImported", { name: file.name }), "warning");
      answerRows();
    } catch (error) {
      say(text("textLoadFailed", { error: error.message }), "error");
    }
    event.target.value = "";
  });

  // --- heatmap ---------------------------------------------------------------------------------
  const heatButton = $('[data-action="heatmap"]');
  heatButton.addEventListener("click", async () => {
    const on = heatButton.getAttribute("aria-pressed") !== "true";
    heatButton.setAttribute("aria-pressed", String(on));
    overlays.remove({ type: "heat" });
    if (!on) return;
    const response = await fetch(root.dataset.heatmap, { credentials: "same-origin", headers: { Accept: "application/json" } });
    const { elements } = await response.json();
    for (const [id, heat] of Object.entries(elements)) {
      if (!registry.get(id)) continue;
      const badge = document.createElement("span");
      badge.className = "heat-badge";
      badge.dataset.element = id;
      badge.textContent = text("textHeat", { n: heat.cases, median: heat.median_hours, p90: heat.p90_hours });
      overlays.add(id, "heat", { position: { bottom: 0, left: 0 }, html: badge });
    }
  });

  modeler.on("import.done", answerRows);
  modeler.on("commandStack.changed", () => later());
  let timer = null;
  function later() {
    clearTimeout(timer);
    timer = setTimeout(answerRows, 500);
  }
})();
