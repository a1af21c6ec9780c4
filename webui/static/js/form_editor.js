// The visual form editor (soạn biểu mẫu): a task's form as a table of fields (code, label,
// type, required, widget, choices with their titles) in the order a person fills them. It
// writes the JSON Schema (labels, types, required, enum with x-enumTitles) and the UI
// description (ui:order, ui:widget; react-jsonschema-form's conventions, webui/forms/formui.py)
// into the two JSON views kept for experts; each change refreshes the server's live preview.
(() => {
  const shared = window.qlvbDesigner;
  if (!shared) return;
  const { root } = shared;
  const $ = (selector) => root.querySelector(selector);
  const schemaView = $("#form-json");
  const uiView = $("#form-ui");
  const body = $(".form-fields tbody");
  const TYPES = { string: "string", integer: "integer", number: "number", boolean: "boolean", date: "date" };
  const WIDGETS = ["", "radio", "select", "checkboxes", "textarea", "text", "hidden"];

  const parse = (text) => { try { return JSON.parse(text); } catch (error) { return null; } };

  function typeOf(field) {
    return field.type === "string" && field.format === "date" ? "date" : field.type || "string";
  }

  function choicesText(field) {
    const titles = field["x-enumTitles"] || {};
    return (field.enum || []).map((v) => (titles[v] && titles[v] !== v ? `${v} = ${titles[v]}` : v)).join("\n");
  }

  function cell(node) {
    const td = document.createElement("td");
    td.append(node);
    return td;
  }

  function input(kind, value, label) {
    const node = document.createElement(kind === "textarea" ? "textarea" : "input");
    if (kind !== "textarea") node.type = kind;
    if (kind === "checkbox") node.checked = Boolean(value); else node.value = value ?? "";
    node.setAttribute("aria-label", label);
    if (kind !== "checkbox") node.placeholder = label;
    return node;
  }

  function select(options, value, label) {
    const node = document.createElement("select");
    node.append(...options.map(([v, t]) => new Option(t, v)));
    node.value = value;
    node.setAttribute("aria-label", label);
    return node;
  }

  function button(label, action) {
    const node = document.createElement("button");
    node.type = "button";
    node.className = "link";
    node.textContent = label;
    node.dataset.fieldAction = action;
    return node;
  }

  // The table from the two JSON views: the UI description's order, then the schema's others.
  function load() {
    const schema = parse(schemaView.value);
    const ui = parse(uiView.value) || {};
    $(".form-visual").hidden = !schema || typeof schema !== "object";
    if ($(".form-visual").hidden) return;
    $("#form-title").value = schema.title || "";
    const properties = schema.properties || {};
    const order = (ui["ui:order"] || []).filter((n) => n in properties);
    const names = [...order, ...Object.keys(properties).filter((n) => !order.includes(n))];
    const required = new Set(schema.required || []);
    const t = (key) => root.dataset[key];
    body.replaceChildren(...names.map((name) => {
      const field = properties[name];
      const tr = document.createElement("tr");
      tr.dataset.field = name;
      const code = input("text", name, t("textFieldCode"));
      code.className = "field-code";
      tr.append(cell(code), cell(input("text", field.title || "", t("textFieldLabel"))),
        cell(select(Object.keys(TYPES).map((k) => [k, k]), typeOf(field), t("textFieldType"))),
        cell(input("checkbox", required.has(name), t("textFieldRequired"))),
        cell(select(WIDGETS.map((w) => [w, w || "–"]), (ui[name] || {})["ui:widget"] || "", t("textFieldWidget"))),
        cell(input("textarea", choicesText(field), t("textFieldChoices"))));
      const moves = document.createElement("td");
      moves.append(button("↑", "up"), button("↓", "down"), button("✕", "remove"));
      tr.append(moves);
      return tr;
    }));
  }

  // The two JSON views from the table; what the table does not show (maxLength, items,
  // conditions, help texts...) is kept as it was.
  function save() {
    const schema = parse(schemaView.value) || { type: "object" };
    const ui = parse(uiView.value) || {};
    const before = schema.properties || {};
    const properties = {};
    const required = [];
    const order = [];
    for (const tr of body.querySelectorAll("tr")) {
      const [code, label, type, needed, widget, choices] = tr.querySelectorAll("input, select, textarea");
      const name = code.value.trim() || tr.dataset.field;
      const field = { ...(before[tr.dataset.field] || {}) };
      field.title = label.value;
      field.type = type.value === "date" ? "string" : type.value;
      if (type.value === "date") field.format = "date"; else if (field.format === "date") delete field.format;
      const lines = choices.value.split("\n").map((l) => l.trim()).filter(Boolean);
      if (lines.length) {
        field.enum = lines.map((l) => l.split("=")[0].trim());
        field["x-enumTitles"] = Object.fromEntries(lines.map((l) => {
          const [v, ...t] = l.split("=");
          return [v.trim(), (t.join("=").trim() || v.trim())];
        }));
      } else {
        delete field.enum;
        delete field["x-enumTitles"];
      }
      properties[name] = field;
      if (needed.checked) required.push(name);
      order.push(name);
      const design = { ...(ui[tr.dataset.field] || {}) };
      if (widget.value) design["ui:widget"] = widget.value; else delete design["ui:widget"];
      delete ui[tr.dataset.field];
      if (Object.keys(design).length) ui[name] = design;
      tr.dataset.field = name;
    }
    schema.title = $("#form-title").value;
    schema.properties = properties;
    schema.required = required;
    ui["ui:order"] = order;
    uiView.value = JSON.stringify(ui, null, 2);
    schemaView.value = JSON.stringify(schema, null, 2);
    shared.uis[schemaView.dataset.ref] = ui;
    schemaView.dispatchEvent(new Event("input")); // the preview, and the form applied
  }

  body.addEventListener("change", save);
  $("#form-title").addEventListener("change", save);
  body.addEventListener("click", (event) => {
    const action = event.target.dataset.fieldAction;
    if (!action) return;
    const tr = event.target.closest("tr");
    if (action === "up" && tr.previousElementSibling) tr.previousElementSibling.before(tr);
    if (action === "down" && tr.nextElementSibling) tr.nextElementSibling.after(tr);
    if (action === "remove") tr.remove();
    save();
  });
  $('[data-action="field-add"]').addEventListener("click", () => {
    const schema = parse(schemaView.value) || { type: "object", properties: {} };
    schema.properties = schema.properties || {};
    let n = 1;
    while (`field_${n}` in schema.properties) n += 1;
    schema.properties[`field_${n}`] = { type: "string", title: root.dataset.textFieldNew };
    schemaView.value = JSON.stringify(schema, null, 2);
    load();
    save();
  });

  // The JSON views, edited by hand, redraw the table; the UI description also refreshes the preview.
  schemaView.addEventListener("input", (event) => { if (event.isTrusted) load(); });
  uiView.addEventListener("input", () => {
    const ui = parse(uiView.value);
    if (ui) shared.uis[schemaView.dataset.ref] = ui;
    load();
    schemaView.dispatchEvent(new Event("input"));
  });
  root.addEventListener("qlvb:form-opened", load);
})();
