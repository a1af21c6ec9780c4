// The platform's properties of the selected element, beside bpmn-js-properties-panel's BPMN
// ones: a lane's role expression with a picker and a live preview of who it names in each
// agency, a sequence flow's condition checked as it is typed, a timer's duration with a
// picker, and a task's spiffworkflow properties (action, certificateDecisions, signatureMode,
// approvalSignature, taskKind, dueIn). Every change goes through bpmn-js modeling, so it is
// undone, saved and deployed like any other edit.
(() => {
  const shared = window.qlvbDesigner;
  if (!shared) return;
  const { modeler, root, post, work, text } = shared;
  const $ = (selector) => root.querySelector(selector);
  const modeling = modeler.get("modeling");
  const moddle = modeler.get("moddle");
  const TASKS = new Set(["bpmn:UserTask", "bpmn:ManualTask", "bpmn:ServiceTask", "bpmn:ScriptTask"]);
  let element = null;
  const timers = {};

  // One pending call per kind: typing restarts it, so the server sees the last text only.
  function later(kind, run, ms = 400) {
    clearTimeout(timers[kind]);
    timers[kind] = setTimeout(run, ms);
  }

  // What the server's check says about one element (the condition or the timer being edited).
  async function problemsOf(id) {
    const { status, body } = await post(root.dataset.validate, await work());
    if (status !== 200) return [body.error || text("textFailed")];
    return body.problems.filter((p) => p.element === id).map((p) => p.message);
  }

  function showState(node, messages, ok) {
    node.textContent = messages.length ? messages.join("; ") : text(ok);
    node.dataset.kind = messages.length ? "error" : "ok";
    root.dataset.checked = String(Number(root.dataset.checked || 0) + 1);
  }

  // --- lanes ------------------------------------------------------------------------------
  const laneInput = $("#lane-expression");
  const lanePreview = $(".lane-preview");
  const laneError = $(".lane-error");

  async function previewLane() {
    const expression = laneInput.value.trim();
    const { status, body } = await post(root.dataset.lanePreview, { ...(await work()), expression });
    lanePreview.replaceChildren();
    laneError.hidden = status === 200;
    if (status !== 200) {
      laneError.textContent = body.error || text("textFailed");
    } else {
      for (const found of body.agencies) {
        const item = document.createElement("li");
        item.dataset.agency = found.agency;
        const who = found.count ? `${found.people.join(", ")} (${text("textPeople", { n: found.count })})`
          : text("textLaneNobody");
        item.textContent = `${found.agency}: ${who}${found.depends_on_case ? "; " + text("textLaneCase") : ""}`;
        item.dataset.kind = found.count || found.depends_on_case ? "ok" : "error";
        lanePreview.append(item);
      }
    }
    root.dataset.lanePreviewed = String(Number(root.dataset.lanePreviewed || 0) + 1);
  }

  laneInput.addEventListener("input", () => {
    if (!element) return;
    modeling.updateProperties(element, { name: laneInput.value });
    later("lane", previewLane);
  });

  $('[data-action="lane-add"]').addEventListener("click", () => {
    const position = $("#lane-position").value;
    const subject = $("#lane-subject").value;
    let term = position;
    if (position === "in_charge") term = `in_charge(${subject || "initiator"})`;
    else if (position !== "initiator" && subject) term = `${position}(${subject})`;
    const current = laneInput.value.trim();
    laneInput.value = current ? `${current} | ${term}` : term;
    laneInput.dispatchEvent(new Event("input"));
  });

  // --- conditions -------------------------------------------------------------------------
  const condition = $("#condition");
  condition.addEventListener("input", () => {
    if (!element) return;
    const body = condition.value.trim();
    const expression = body ? moddle.create("bpmn:FormalExpression", { body }) : undefined;
    modeling.updateProperties(element, { conditionExpression: expression });
    const id = element.id;
    later("condition", async () => showState($(".condition-state"), await problemsOf(id), "textConditionOk"));
  });

  // --- timers -----------------------------------------------------------------------------
  const timerInput = $("#timer-expression");
  const timerField = () => {
    const definition = (element.businessObject.eventDefinitions || [])[0];
    return definition && ["timeDuration", "timeDate", "timeCycle"].find((k) => definition[k]) || "timeDuration";
  };

  // SpiffWorkflow reads a timer as a Python expression: an ISO duration is a quoted string.
  function durationOf(value) {
    const m = /^"?P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?"?$/.exec(value.trim());
    return m ? { days: m[1] || "", hours: m[2] || "", minutes: m[3] || "" } : null;
  }

  function setTimer(value) {
    const definition = element.businessObject.eventDefinitions[0];
    const expression = moddle.create("bpmn:FormalExpression", { body: value });
    modeler.get("modeling").updateModdleProperties(element, definition, { [timerField()]: expression });
    const id = element.id;
    later("timer", async () => showState($(".timer-state"), await problemsOf(id), "textTimerOk"));
  }

  function fromPicker() {
    const [d, h, m] = [".timer-days", ".timer-hours", ".timer-minutes"].map((s) => Number($(s).value || 0));
    const time = (h ? `${h}H` : "") + (m ? `${m}M` : "");
    const iso = `P${d ? `${d}D` : ""}${time ? `T${time}` : ""}`;
    timerInput.value = `"${iso === "P" ? "P0D" : iso}"`;
    setTimer(timerInput.value);
  }

  [".timer-days", ".timer-hours", ".timer-minutes"].forEach((s) => $(s).addEventListener("input", fromPicker));
  timerInput.addEventListener("input", () => {
    const parts = durationOf(timerInput.value);
    if (parts) {
      $(".timer-days").value = parts.days;
      $(".timer-hours").value = parts.hours;
      $(".timer-minutes").value = parts.minutes;
    }
    setTimer(timerInput.value);
  });

  // --- task properties --------------------------------------------------------------------
  root.querySelectorAll(".task-properties [data-property]").forEach((input) => {
    input.addEventListener("change", () => {
      if (element) shared.setProperty(element, input.dataset.property, input.value.trim());
    });
  });

  // --- the selected element -----------------------------------------------------------------
  function isTimer(bo) {
    return (bo.eventDefinitions || []).some((d) => d.$type === "bpmn:TimerEventDefinition");
  }

  function show(selected) {
    element = selected;
    const bo = selected && selected.businessObject;
    const type = bo ? bo.$type : "";
    const lane = type === "bpmn:Lane";
    const flow = type === "bpmn:SequenceFlow" && bo.sourceRef && /Gateway$/.test(bo.sourceRef.$type);
    const timer = Boolean(bo) && isTimer(bo);
    const task = TASKS.has(type);
    $(".lane-editor").hidden = !lane;
    $(".condition-editor").hidden = !flow;
    $(".timer-editor").hidden = !timer;
    $(".task-properties").hidden = !task;
    $(".platform-props").hidden = !(lane || flow || timer || task);
    if (lane) {
      laneInput.value = bo.name || "";
      previewLane();
    }
    if (flow) {
      condition.value = (bo.conditionExpression && bo.conditionExpression.body) || "";
      $(".condition-state").textContent = "";
    }
    if (timer) {
      const expression = bo.eventDefinitions[0][timerField()];
      timerInput.value = (expression && expression.body) || "";
      const parts = durationOf(timerInput.value) || { days: "", hours: "", minutes: "" };
      $(".timer-days").value = parts.days;
      $(".timer-hours").value = parts.hours;
      $(".timer-minutes").value = parts.minutes;
      $(".timer-state").textContent = "";
    }
    if (task) {
      root.querySelectorAll(".task-properties [data-property]").forEach((input) => {
        input.value = shared.propertyOf(bo, input.dataset.property);
      });
    }
  }

  modeler.on("selection.changed", ({ newSelection }) => show(newSelection.length === 1 ? newSelection[0] : null));
})();
