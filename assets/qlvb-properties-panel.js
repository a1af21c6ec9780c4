// The platform's properties inside bpmn-js-properties-panel, as a provider of the panel (the way
// SpiffArena adds its own): a group "Nền tảng QLVB" on lanes (the role expression, a picker and a
// live preview of who it names in each agency), on flows out of a gateway (the condition, checked
// by the server as it is typed), on timers (the duration with a picker) and on tasks (the
// spiffworkflow properties the engine reads). The panel's browser build exposes no way to write
// entries (its preact and entry components are private to it), so this file is bundled with the
// panel by esbuild (scripts/vendor-assets.sh) into one script that defines
// window.QlvbPropertiesPanel. What needs the page (the server's checks, the texts, reading and
// writing spiffworkflow:property) comes from the page as the modeler's `qlvbPanel` setting.
import { BpmnPropertiesPanelModule, BpmnPropertiesProviderModule, useService } from "bpmn-js-properties-panel";
import {
  SelectEntry, TextFieldEntry, isSelectEntryEdited, isTextFieldEntryEdited,
} from "@bpmn-io/properties-panel";
import { h } from "@bpmn-io/properties-panel/preact";
import { useEffect, useRef, useState } from "@bpmn-io/properties-panel/preact/hooks";

const TASKS = new Set(["bpmn:UserTask", "bpmn:ManualTask", "bpmn:ServiceTask", "bpmn:ScriptTask"]);
const FORMS = new Set(["bpmn:UserTask", "bpmn:ManualTask", "bpmn:StartEvent"]);

// One pending call per entry: typing restarts it, so the server sees the last text only.
function useLater(ms = 400) {
  const timer = useRef(null);
  useEffect(() => () => clearTimeout(timer.current), []);
  return (run) => {
    clearTimeout(timer.current);
    timer.current = setTimeout(run, ms);
  };
}

function useBridge() {
  return useService("config.qlvbPanel");
}

function Field({ label, id, children }) {
  return h("div", { class: "bio-properties-panel-entry qlvb-entry", "data-entry-id": id },
    h("label", { class: "bio-properties-panel-label", for: id }, label), children);
}

// --- lanes ------------------------------------------------------------------------------------
function LaneEntry({ element }) {
  const bridge = useBridge();
  const modeling = useService("modeling");
  const [value, setValue] = useState(element.businessObject.name || "");
  const [preview, setPreview] = useState({ agencies: [], error: null });
  const [position, setPosition] = useState("initiator");
  const [subject, setSubject] = useState("");
  const later = useLater();

  async function look(expression) {
    const { status, body } = await bridge.lanePreview(expression.trim());
    setPreview(status === 200 ? { agencies: body.agencies, error: null }
      : { agencies: [], error: body.error || bridge.text("textFailed") });
  }

  useEffect(() => {
    const name = element.businessObject.name || "";
    setValue(name);
    look(name);
  }, [element.id]);

  function change(next) {
    setValue(next);
    modeling.updateProperties(element, { name: next });
    later(() => look(next));
  }

  function add() {
    let term = position;
    if (position === "in_charge") term = `in_charge(${subject || "initiator"})`;
    else if (position !== "initiator" && subject) term = `${position}(${subject})`;
    change(value.trim() ? `${value.trim()} | ${term}` : term);
  }

  const options = [["initiator", bridge.text("textPositionInitiator")], ["in_charge", bridge.text("textPositionInCharge")],
    ...bridge.positions];
  return h("div", { class: "lane-editor" },
    h(Field, { label: bridge.text("textLaneLabel"), id: "lane-expression" },
      h("input", { type: "text", id: "lane-expression", class: "bio-properties-panel-input", value, spellcheck: false,
        autocomplete: "off", onInput: (event) => change(event.target.value) })),
    h("div", { class: "lane-picker" },
      h("select", { id: "lane-position", "aria-label": bridge.text("textPosition"), value: position,
        onChange: (event) => setPosition(event.target.value) },
      options.map(([code, title]) => h("option", { value: code }, title))),
      h("select", { id: "lane-subject", "aria-label": bridge.text("textSubject"), value: subject,
        onChange: (event) => setSubject(event.target.value) },
      h("option", { value: "" }, bridge.text("textSubjectAgency")),
      h("option", { value: "initiator" }, bridge.text("textSubjectInitiator"))),
      h("button", { type: "button", class: "secondary", "data-action": "lane-add", onClick: add },
        bridge.text("textLaneAdd"))),
    h("p", { class: "bio-properties-panel-description" }, bridge.text("textLaneHint")),
    preview.error ? h("p", { class: "field-error lane-error", "data-testid": "lane-error" }, preview.error) : null,
    h("ul", { class: "lane-preview", "data-testid": "lane-preview" }, preview.agencies.map((found) => {
      const who = found.count ? `${found.people.join(", ")} (${bridge.text("textPeople", { n: found.count })})`
        : bridge.text("textLaneNobody");
      return h("li", { "data-agency": found.agency, "data-kind": found.count || found.depends_on_case ? "ok" : "error" },
        `${found.agency}: ${who}${found.depends_on_case ? "; " + bridge.text("textLaneCase") : ""}`);
    })));
}

// What the server's check says about one element, shown under the entry being edited.
function useCheck(element) {
  const bridge = useBridge();
  const [state, setState] = useState(null);
  useEffect(() => setState(null), [element.id]);
  const check = async (ok) => {
    const messages = await bridge.problemsOf(element.id);
    setState({ text: messages.length ? messages.join("; ") : bridge.text(ok), kind: messages.length ? "error" : "ok" });
  };
  return [state, check];
}

function stateLine(state, testid, extra) {
  return h("p", { class: `small ${extra}`, "data-testid": testid, "data-kind": state ? state.kind : "" },
    state ? state.text : "");
}

// --- conditions -----------------------------------------------------------------------------
function ConditionEntry({ element }) {
  const bridge = useBridge();
  const modeling = useService("modeling");
  const moddle = useService("moddle");
  const expression = () => (element.businessObject.conditionExpression || {}).body || "";
  const [value, setValue] = useState(expression());
  const [state, check] = useCheck(element);
  const later = useLater();
  useEffect(() => setValue(expression()), [element.id]);

  function change(next) {
    setValue(next);
    const body = next.trim();
    modeling.updateProperties(element, {
      conditionExpression: body ? moddle.create("bpmn:FormalExpression", { body }) : undefined,
    });
    later(() => check("textConditionOk"));
  }
  return h(Field, { label: bridge.text("textConditionLabel"), id: "condition" },
    h("textarea", { id: "condition", rows: 2, class: "bio-properties-panel-input", spellcheck: false, value,
      onInput: (event) => change(event.target.value) }),
    stateLine(state, "condition-state", "condition-state"));
}

// --- timers ---------------------------------------------------------------------------------
const KINDS = ["timeDuration", "timeDate", "timeCycle"];

// SpiffWorkflow reads a timer as a Python expression: an ISO duration is a quoted string.
function durationOf(value) {
  const m = /^"?P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?"?$/.exec(value.trim());
  return m ? { days: m[1] || "", hours: m[2] || "", minutes: m[3] || "" } : null;
}

function TimerEntry({ element }) {
  const bridge = useBridge();
  const modeling = useService("modeling");
  const moddle = useService("moddle");
  const definition = () => element.businessObject.eventDefinitions[0];
  const kind = () => KINDS.find((k) => definition()[k]) || "timeDuration";
  const current = () => (definition()[kind()] || {}).body || "";
  const [value, setValue] = useState(current());
  const [state, check] = useCheck(element);
  const later = useLater();
  useEffect(() => setValue(current()), [element.id]);
  const parts = durationOf(value) || { days: "", hours: "", minutes: "" };

  function change(next) {
    setValue(next);
    modeling.updateModdleProperties(element, definition(),
      { [kind()]: moddle.create("bpmn:FormalExpression", { body: next }) });
    later(() => check("textTimerOk"));
  }

  function picked(part, number) {
    const given = { ...parts, [part]: number };
    const [d, hours, m] = [given.days, given.hours, given.minutes].map((n) => Number(n || 0));
    const time = (hours ? `${hours}H` : "") + (m ? `${m}M` : "");
    const iso = `P${d ? `${d}D` : ""}${time ? `T${time}` : ""}`;
    change(`"${iso === "P" ? "P0D" : iso}"`);
  }

  const number = (part, max, label, testid) => h("label", null, `${label} `,
    h("input", { type: "number", min: 0, max, class: `timer-${part}`, "data-testid": testid, value: parts[part],
      onInput: (event) => picked(part, event.target.value) }));
  return h("div", { class: "timer-editor" },
    h("div", { class: "duration-picker" },
      number("days", 3650, bridge.text("textDays"), "timer-days"),
      number("hours", 23, bridge.text("textHours"), "timer-hours"),
      number("minutes", 59, bridge.text("textMinutes"), "timer-minutes")),
    h(Field, { label: bridge.text("textTimerLabel"), id: "timer-expression" },
      h("input", { type: "text", id: "timer-expression", class: "bio-properties-panel-input", spellcheck: false, value,
        onInput: (event) => change(event.target.value) })),
    stateLine(state, "timer-state", "timer-state"));
}

// --- a task's spiffworkflow properties -------------------------------------------------------
function propertyEntry(name, { label, choices, placeholder, validate }) {
  function Entry({ element, id }) {
    const bridge = useBridge();
    const debounce = useService("debounceInput");
    const common = {
      element, id, label: bridge.text(label),
      getValue: () => bridge.propertyOf(element.businessObject, name),
      setValue: (value) => bridge.setProperty(element, name, (value || "").trim()),
    };
    if (choices) {
      return h(SelectEntry, { ...common, getOptions: () => choices(bridge) });
    }
    return h(TextFieldEntry, { ...common, debounce, placeholder,
      validate: validate ? (value) => validate(value, bridge) : undefined });
  }
  const isEdited = choices ? isSelectEntryEdited : isTextFieldEntryEdited;
  return { id: `qlvb-${name}`, component: Entry, isEdited };
}

const ISO_DUE = /^P(?!$)(\d+D)?(T(?=\d)(\d+H)?(\d+M)?)?$/;
const options = (bridge, values) => values.map(([value, label]) => ({ value, label: bridge.text(label) }));

const TASK_ENTRIES = [
  propertyEntry("action", {
    label: "textAction",
    choices: (bridge) => [{ value: "", label: "–" }, ...bridge.actions.map((a) => ({ value: a, label: a }))],
  }),
  propertyEntry("certificateDecisions", { label: "textCertificate", placeholder: "sign" }),
  propertyEntry("signatureMode", {
    label: "textSignature", choices: (bridge) => options(bridge, [["", "textSignDigital"], ["paper", "textSignPaper"]]),
  }),
  propertyEntry("approvalSignature", {
    label: "textApproval",
    choices: (bridge) => options(bridge, [["", "textNo"], ["initial", "textInitial"], ["invisible", "textInvisible"]]),
  }),
  propertyEntry("taskKind", {
    label: "textKind", choices: (bridge) => options(bridge, [["", "textKindHandle"], ["comment", "textKindComment"]]),
  }),
  propertyEntry("dueIn", {
    label: "textDue", placeholder: "P1D",
    validate: (value, bridge) => (value && !ISO_DUE.test(value.trim()) ? bridge.text("textDueInvalid") : null),
  }),
];
const FORM_ENTRY = propertyEntry("formJsonSchemaFilename", { label: "textForm" });

function isTimer(bo) {
  return (bo.eventDefinitions || []).some((d) => d.$type === "bpmn:TimerEventDefinition");
}

function entriesOf(element) {
  const bo = element.businessObject;
  const type = bo.$type;
  const entries = [];
  if (type === "bpmn:Lane") entries.push({ id: "qlvb-lane", component: LaneEntry });
  if (type === "bpmn:SequenceFlow" && bo.sourceRef && /Gateway$/.test(bo.sourceRef.$type)) {
    entries.push({ id: "qlvb-condition", component: ConditionEntry });
  }
  if (isTimer(bo)) entries.push({ id: "qlvb-timer", component: TimerEntry });
  if (FORMS.has(type)) entries.push(FORM_ENTRY);
  if (TASKS.has(type)) entries.push(...TASK_ENTRIES);
  return entries;
}

class QlvbPropertiesProvider {
  constructor(propertiesPanel, config) {
    this.config = config;
    propertiesPanel.registerProvider(500, this);
  }

  getGroups(element) {
    return (groups) => {
      const entries = entriesOf(element);
      if (!entries.length) return groups;
      return [...groups, { id: "qlvb", label: this.config.text("textGroup"), entries }];
    };
  }
}
QlvbPropertiesProvider.$inject = ["propertiesPanel", "config.qlvbPanel"];

const QlvbPropertiesProviderModule = {
  __init__: ["qlvbPropertiesProvider"],
  qlvbPropertiesProvider: ["type", QlvbPropertiesProvider],
};

window.QlvbPropertiesPanel = { BpmnPropertiesPanelModule, BpmnPropertiesProviderModule, QlvbPropertiesProviderModule };
