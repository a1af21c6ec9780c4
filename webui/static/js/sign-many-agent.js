// Ký số hàng loạt with a USB token, on the Chờ ký list: for each ticked document our server
// prepares its signing step's one-time request (as the task page's "Ký bằng USB token" does),
// the official's sign agent signs them all after one PIN typed in its own window (its prompt
// lists every document with its hash), and each signature completes its step on the server,
// one after the other, stopping at the first refusal. Then the list comes back with what was done.
// As on the task page, the token certificate's status is shown before the PIN: when the token is
// chosen, and again for each ticked document's step (its agency's policy) before the agent is asked.

import { Refused, askAgent, askServer } from "./agent-client.js";
import { show, showAnswer } from "./signing-check.js";

const url = (template, task) => template.replace("TASK", encodeURIComponent(task));

// Per box: the certificate whose warning the holder has seen (a second press signs with it).
const warned = new WeakMap();

// The first refusal among the tasks' answers, else the first warning, else the last answer.
async function tokenStatus(box, csrf, certificate, tasks) {
  show(box, box.dataset.msgChecking, "pending");
  let shown = null;
  for (const task of tasks) {
    const answer = await askServer(box, url(box.dataset.statusUrl, task), csrf, JSON.stringify({ certificate }),
      "application/json");
    if (answer.refused) { shown = answer; break; }
    if (!shown || (answer.warning && !shown.warning)) shown = answer;
  }
  showAnswer(box, shown);
  return shown;
}

// As the holder chooses the token: its status for the list's first step, when the agent runs.
async function showTokenStatus(form, box) {
  const first = form.querySelector("input[name=ids][data-task]");
  if (!first) return;
  try {
    const token = await askAgent(box, "/certificate");
    const answer = await tokenStatus(box, form.elements.csrf_token.value, token.certificate, [first.dataset.task]);
    if (answer.warning) warned.set(box, token.certificate);
  } catch {
    show(box, "", "");  // no agent or no token yet: the Ký số button says so, and checks then
  }
}

async function signTicked(form, box, status, tasks) {
  const csrf = form.elements.csrf_token.value;
  status.textContent = box.dataset.msgConnecting;
  const token = await askAgent(box, "/certificate");
  const answer = await tokenStatus(box, csrf, token.certificate, tasks);
  if (answer.refused) throw new Refused(answer.message);
  if (answer.warning && warned.get(box) !== token.certificate) {  // read it first, then press again
    warned.set(box, token.certificate);
    status.textContent = box.dataset.msgWarned;
    return false;
  }
  const requests = [];
  for (const task of tasks) {
    requests.push(await askServer(box, url(box.dataset.requestUrl, task), csrf,
      JSON.stringify({ certificate: token.certificate }), "application/json"));
  }
  status.textContent = box.dataset.msgPin;
  const signed = await askAgent(box, "/sign-batch", { requests });
  status.textContent = box.dataset.msgSaving;
  for (const [index, task] of tasks.entries()) {
    const data = new FormData();
    data.set("decision", "sign");
    data.set("request_id", signed.signatures[index].id);
    data.set("signature", signed.signatures[index].signature);
    await askServer(box, url(box.dataset.signUrl, task), csrf, data);
  }
  return true;
}

for (const box of document.querySelectorAll("[data-sign-many]")) {
  const form = box.closest("form");
  const status = box.querySelector(".agent-status");
  const method = () => box.querySelector("input[name=signing_method]:checked").value;
  box.querySelector("[data-agent-choice]").hidden = false;  // needs this script: shown by it
  box.addEventListener("change", (event) => {
    box.querySelector("[data-method=password]").hidden = method() !== "password";
    if (event.target.name !== "signing_method") return;
    if (method() === "agent") showTokenStatus(form, box);
    else show(box, "", "");
  });
  form.addEventListener("submit", async (event) => {
    if (method() !== "agent" || event.submitter?.dataset.testid !== "sign-many") return;
    event.preventDefault();
    const ticked = form.querySelectorAll("input[name=ids]:checked");
    const tasks = [...ticked].map((input) => input.dataset.task).filter(Boolean);
    status.classList.remove("bad");
    if (!tasks.length) {
      status.textContent = box.dataset.msgNone;
      status.classList.add("bad");
      return;
    }
    event.submitter.disabled = true;
    try {
      if (await signTicked(form, box, status, tasks)) window.location.assign(box.dataset.back);
      else event.submitter.disabled = false;
    } catch (error) {
      status.textContent = error instanceof Refused ? error.message : box.dataset.msgFailed;
      status.classList.add("bad");
      event.submitter.disabled = false;  // steps completed before a refusal stay so: the list shows them on reload
    }
  });
}
