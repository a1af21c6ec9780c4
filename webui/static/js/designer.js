// The process designer: the bpmn-js modeler over the draft (or the newest version), the
// selected element's form with its JSON Schema and a live preview rendered by the server,
// and Lưu / Kiểm tra / Triển khai. Each problem the server finds is listed and marked on its
// element. The spiffworkflow properties are kept as bpmn-moddle's generic elements, so any
// property this page does not know survives a save untouched.
(() => {
  const root = document.getElementById("designer");
  if (!root) return;
  const SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core";
  const FORM = "formJsonSchemaFilename";
  const WITH_FORM = new Set(["bpmn:UserTask", "bpmn:ManualTask", "bpmn:StartEvent"]);

  const text = (key, values = {}) =>
    root.dataset[key].replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
  const $ = (selector) => root.querySelector(selector);
  const status = $(".designer-status");
  // bpmn-js-properties-panel with the platform's group inside it (assets/qlvb-properties-panel.js,
  // bundled with the panel); the group asks the page for what needs the server through `bridge`.
  const panel = window.QlvbPropertiesPanel;
  const bridge = {
    text,
    positions: JSON.parse(root.dataset.positions || "[]"),
    actions: JSON.parse(root.dataset.actions || "[]"),
    propertyOf: (bo, name) => propertyOf(bo, name),
    setProperty: (element, name, value) => setProperty(element, name, value),
    lanePreview: async (expression) => post(root.dataset.lanePreview, { ...(await work()), expression }),
    // What the server's check says about one element (the condition or the timer being edited).
    problemsOf: async (id) => {
      const { status: code, body } = await post(root.dataset.validate, await work());
      if (code !== 200) return [body.error || text("textFailed")];
      return body.problems.filter((p) => p.element === id).map((p) => p.message);
    },
  };
  const modeler = new BpmnJS({
    container: $(".bpmn-canvas"),
    propertiesPanel: { parent: $(".bpmn-properties"), layout: { groups: { qlvb: { open: true } } } },
    qlvbPanel: bridge,
    additionalModules: panel
      ? [panel.BpmnPropertiesPanelModule, panel.BpmnPropertiesProviderModule, panel.QlvbPropertiesProviderModule] : [],
  });
  const canvas = modeler.get("canvas");
  const overlays = modeler.get("overlays");
  const registry = modeler.get("elementRegistry");
  const modeling = modeler.get("modeling");
  const moddle = modeler.get("moddle");
  let forms = {};
  let marked = [];
  let selected = null;
  // For the browser tests and the curious: the modeler and the forms being edited.
  // The panels (designer_panel.js, designer_run.js, form_editor.js) use the same helpers.
  const shared = { modeler, root, forms: () => forms, uis: {}, propertyOf, setProperty };
  window.qlvbDesigner = shared;

  function say(message, kind = "") {
    status.textContent = message;
    status.dataset.kind = kind;
  }

  // --- the spiffworkflow properties of an element -------------------------------------
  function propertiesOf(bo, create) {
    let ext = bo.extensionElements;
    let found = ext && (ext.values || []).find((v) => v.$type === "spiffworkflow:properties");
    if (!found && create) {
      ext = ext || moddle.create("bpmn:ExtensionElements", { values: [] });
      found = moddle.createAny("spiffworkflow:properties", SPIFF, {});
      found.$children = [];
      found.$parent = ext;
      ext.values.push(found);
      bo.extensionElements = ext;
    }
    return found;
  }

  function propertyOf(bo, name) {
    const properties = propertiesOf(bo, false);
    const property = properties && (properties.$children || []).find((c) => c.name === name);
    return property ? property.value : "";
  }

  const formRef = (bo) => propertyOf(bo, FORM);

  // An empty value removes the property: the diagram then says nothing rather than "".
  function setProperty(element, name, value) {
    const bo = element.businessObject;
    const properties = propertiesOf(bo, true);
    let property = properties.$children.find((c) => c.name === name);
    if (!value) {
      properties.$children = properties.$children.filter((c) => c !== property);
    } else if (!property) {
      property = moddle.createAny("spiffworkflow:property", SPIFF, { name, value });
      properties.$children.push(property);
    } else {
      property.value = value;
    }
    // Through modeling, so the change marks the diagram as changed like any other edit.
    modeling.updateProperties(element, { extensionElements: bo.extensionElements });
  }

  const setFormRef = (element, ref) => setProperty(element, FORM, ref);

  function changed() {
    root.dataset.dirty = "1";
    say(text("textUnsaved"));
  }

  // --- problems -------------------------------------------------------------------------
  function shapeOf(id) {
    if (!id) return null;
    const direct = registry.get(id);
    if (direct) return direct;
    // A process drawn as a pool: its problems go on the participant.
    return registry.find((e) => e.businessObject.processRef && e.businessObject.processRef.id === id) || null;
  }

  function clearProblems() {
    overlays.remove({ type: "problem" });
    marked.forEach((id) => canvas.removeMarker(id, "has-problem"));
    marked = [];
    $(".problem-list").replaceChildren();
    $(".problems").hidden = true;
  }

  function showProblems(problems) {
    clearProblems();
    const list = $(".problem-list");
    for (const problem of problems) {
      const shape = shapeOf(problem.element);
      const item = document.createElement("li");
      item.dataset.element = problem.element || "";
      const where = document.createElement(shape ? "button" : "strong");
      const name = shape && shape.businessObject.name;
      where.textContent = problem.element ? (name ? `${name} (${problem.element})` : problem.element) : text("textWhole");
      if (shape) {
        where.type = "button";
        where.className = "link";
        where.addEventListener("click", () => {
          modeler.get("selection").select(shape);
          canvas.scrollToElement(shape);
        });
        if (!marked.includes(shape.id)) {
          canvas.addMarker(shape.id, "has-problem");
          marked.push(shape.id);
          const badge = document.createElement("span");
          badge.className = "problem-badge";
          badge.textContent = "!";
          badge.title = problem.message;
          overlays.add(shape.id, "problem", { position: { top: -10, right: 10 }, html: badge });
        }
      }
      item.append(where, document.createTextNode(": " + problem.message));
      list.append(item);
    }
    $(".problems").hidden = problems.length === 0;
  }

  // --- talking to the server ------------------------------------------------------------
  async function post(url, payload) {
    const response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRF-Token": root.dataset.csrf },
      body: JSON.stringify(payload),
    });
    const type = response.headers.get("Content-Type") || "";
    const body = type.includes("json") ? await response.json() : await response.text();
    return { status: response.status, body };
  }

  async function work() {
    const { xml } = await modeler.saveXML({ format: true });
    return { xml, forms, ui: shared.uis };
  }

  async function act(run) {
    const buttons = root.querySelectorAll(".designer-actions button");
    buttons.forEach((b) => { b.disabled = true; });
    try {
      await run();
    } catch (error) {
      say(text("textFailed"), "error");
      console.warn(error);
    } finally {
      buttons.forEach((b) => { b.disabled = false; });
    }
  }

  Object.assign(shared, { post, work, say, text, showProblems, act });

  const actions = {
    async save() {
      const { status: code, body } = await post(root.dataset.save, await work());
      showProblems(body.problems || []);
      if (code !== 200) {
        say(body.error || text("textFailed"), "error");
        return;
      }
      const at = new Date(body.saved_at).toLocaleTimeString();
      say(body.problems.length ? text("textSavedProblems", { n: body.problems.length }) : text("textSaved", { at }),
        body.problems.length ? "warning" : "ok");
      root.dataset.dirty = "";
    },
    async validate() {
      const { status: code, body } = await post(root.dataset.validate, await work());
      if (code !== 200) {
        say(body.error || text("textFailed"), "error");
        return;
      }
      showProblems(body.problems);
      say(body.problems.length ? text("textInvalid", { n: body.problems.length }) : text("textValid"),
        body.problems.length ? "error" : "ok");
    },
    // Deploying changes every new case at once: the designer sees the impact first (what
    // changed since the running version, the cases on older ones) and confirms it.
    async deploy() {
      const { status: code, body } = await post(root.dataset.impact, await work());
      if (code !== 200) {
        say(body.error || text("textFailed"), "error");
        return;
      }
      showImpact(body);
    },
  };

  const impactDialog = $(".impact-dialog");

  function row(cells) {
    const tr = document.createElement("tr");
    for (const cell of cells) {
      const td = document.createElement("td");
      td.textContent = cell;
      tr.append(td);
    }
    return tr;
  }

  function showImpact(impact) {
    const changes = impactDialog.querySelector(".impact-changes");
    changes.replaceChildren(...impact.elements.map((c) => {
      const tr = row([c.name || c.id, root.dataset[`change${c.change[0].toUpperCase()}${c.change.slice(1)}`] || c.change]);
      tr.dataset.element = c.id;
      return tr;
    }), ...impact.forms.map((f) => row([f.name, root.dataset[`change${f.change[0].toUpperCase()}${f.change.slice(1)}`] || f.change])));
    impactDialog.querySelector(".impact-summary").textContent = impact.unchanged
      ? text("textImpactNone", { version: impact.version })
      : text("textImpactSummary", { version: impact.version, n: impact.elements.length + impact.forms.length });
    impactDialog.querySelector('[data-testid="impact-running"]').textContent =
      text("textImpactRunning", { n: impact.running_total,
        versions: impact.running.map((r) => `v${r.version}: ${r.cases}`).join(", ") || "–" });
    impactDialog.showModal();
  }

  impactDialog.querySelector('[data-action="cancel-deploy"]').addEventListener("click", () => impactDialog.close());
  impactDialog.querySelector('[data-action="confirm-deploy"]').addEventListener("click", () => act(async () => {
    const { status: code, body } = await post(root.dataset.deploy, { ...(await work()), confirm: true });
    impactDialog.close();
    if (code === 200 || code === 201) {
      root.dataset.dirty = "";
      window.location.assign(body.url);
      return;
    }
    showProblems(body.problems || []);
    say(body.error || text("textFailed"), "error");
  }));

  for (const [name, run] of Object.entries(actions)) {
    root.querySelector(`[data-action="${name}"]`).addEventListener("click", () => act(run));
  }

  // --- the selected element and its form -------------------------------------------------
  const editor = $("#form-json");
  const preview = $(".form-preview");
  const formError = $(".form-error");
  const formState = $(".form-state");
  let previewTimer = null;

  function blankForm(ref) {
    const title = ref.split("/").pop().replace(/\.schema\.json$|\.json$/, "");
    return { title, type: "object", properties: { note: { type: "string", title: "Ghi chú", maxLength: 2000 } } };
  }

  function refreshFormNames() {
    const list = $("#form-names");
    list.replaceChildren(...Object.keys(forms).sort().map((name) => {
      const option = document.createElement("option");
      option.value = name;
      return option;
    }));
  }

  async function renderPreview(ref) {
    const ui = $("#form-ui").value.trim();
    const { status: code, body } = await post(root.dataset.preview, { name: ref, schema: editor.value, ui: ui || null });
    if (code === 200) {
      const schema = JSON.parse(editor.value);
      if (JSON.stringify(schema) !== JSON.stringify(forms[ref])) {
        forms[ref] = schema;
        changed();
      }
      preview.innerHTML = body; // the server's own rendering, escaped there
      formError.hidden = true;
      formState.textContent = text("textFormApplied");
      refreshFormNames();
    } else {
      formError.textContent = (body && body.error) || text("textFailed");
      formError.hidden = false;
      formState.textContent = text("textFormInvalid");
    }
    root.dataset.previewed = String(Number(root.dataset.previewed || 0) + 1);
  }

  function openForm(ref) {
    const editorBox = $(".form-editor");
    editorBox.hidden = !ref;
    if (!ref) return;
    editor.dataset.ref = ref;
    editor.value = JSON.stringify(forms[ref] || blankForm(ref), null, 2);
    $("#form-ui").value = JSON.stringify(shared.uis[ref] || {}, null, 2);
    formError.hidden = true;
    root.dispatchEvent(new CustomEvent("qlvb:form-opened"));
    renderPreview(ref);
  }

  function showSelected(element) {
    selected = element;
    const bo = element && element.businessObject;
    $(".none-selected").hidden = Boolean(element);
    $(".selected").hidden = !element;
    const hasForm = Boolean(element) && WITH_FORM.has(bo.$type);
    $(".form-ref").hidden = !hasForm;
    if (!element) {
      $(".form-editor").hidden = true;
      return;
    }
    $('[data-testid="element-id"]').textContent = bo.id;
    $('[data-testid="element-type"]').textContent = bo.$type.replace(/^bpmn:/, "");
    $('[data-testid="element-name"]').textContent = bo.name || "";
    const ref = hasForm ? formRef(bo) : "";
    $("#form-ref").value = ref;
    openForm(ref);
  }

  modeler.on("selection.changed", ({ newSelection }) => showSelected(newSelection.length === 1 ? newSelection[0] : null));
  modeler.on("element.changed", ({ element }) => {
    if (selected && element.id === selected.id) {
      $('[data-testid="element-name"]').textContent = element.businessObject.name || "";
    }
  });
  modeler.on("commandStack.changed", changed);

  // Leaving with unsaved changes loses them: the browser asks first.
  window.addEventListener("beforeunload", (event) => {
    if (root.dataset.dirty) event.preventDefault();
  });

  root.querySelector('[data-action="apply-form-ref"]').addEventListener("click", () => {
    const ref = $("#form-ref").value.trim();
    if (!selected || !ref) return;
    if (!forms[ref]) forms[ref] = blankForm(ref);
    setFormRef(selected, ref);
    openForm(ref);
  });

  editor.addEventListener("input", () => {
    clearTimeout(previewTimer);
    previewTimer = setTimeout(() => renderPreview(editor.dataset.ref), 400);
  });

  // The whole diagram, a little smaller than the canvas and clear of the palette on its left.
  function fit() {
    canvas.zoom("fit-viewport");
    const palette = root.querySelector(".djs-palette");
    const left = palette
      ? palette.getBoundingClientRect().right - $(".bpmn-canvas").getBoundingClientRect().left + 10 : 0;
    const { inner, outer, scale } = canvas.viewbox();
    const smaller = Math.min(scale, (scale * (outer.width - left - 10)) / outer.width);
    canvas.viewbox({ x: inner.x - left / smaller, y: inner.y - 10 / smaller,
      width: outer.width / smaller, height: outer.height / smaller });
  }

  // --- loading ----------------------------------------------------------------------------
  fetch(root.dataset.work, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then((response) => response.json())
    .then(async (given) => {
      forms = given.forms;
      shared.uis = given.ui || {};
      refreshFormNames();
      await modeler.importXML(given.xml);
      fit();
      if (given.draft) {
        const at = new Date(given.draft.saved_at).toLocaleString(document.documentElement.lang);
        say(text("textDraft", { at, who: given.draft.saved_by }));
      }
      root.dataset.ready = "1";
    })
    .catch((error) => say(text("textLoadFailed", { error: error.message }), "error"));
})();
