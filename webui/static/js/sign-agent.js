// Ký bằng USB token: on the task page's "sign" decision (or its "approve" where that is a ký
// nháy), the official's own sign agent (qlvb sign-agent, on 127.0.0.1 of their computer)
// reads the token's certificate, our server prepares a one-time request for it, the agent
// signs it once the holder typed the PIN in the agent's own window, and the signature goes
// back to our server with the form. The token's certificate status is shown before the PIN.
// The page talks to nothing else (the Content-Security-Policy allows only these two).

import { Refused, askAgent, askServer } from "./agent-client.js";
import { serverAnswers, show, showAnswer } from "./signing-check.js";

// Per box, the token certificate last checked, its answer and whether the holder has seen it.
const tokenChecks = new WeakMap();

// The token's certificate checked as the server key's is (OCSP, then CRL, and the agency's
// policy), before the agent asks for the PIN: a refusal or a warning is shown here first.
async function tokenStatus(box, csrf, certificate) {
  const known = tokenChecks.get(box);
  if (known && known.certificate === certificate) return known;
  show(box, box.dataset.msgChecking, "pending");
  const answer = await askServer(box, box.dataset.statusUrl, csrf, JSON.stringify({ certificate }),
    "application/json");
  const found = { certificate, answer, seen: false };
  tokenChecks.set(box, found);
  showAnswer(box, answer);
  return found;
}

// As the holder chooses the token: its status shown at once, when the agent is running.
async function showTokenStatus(box, csrf) {
  try {
    const token = await askAgent(box, "/certificate");
    (await tokenStatus(box, csrf, token.certificate)).seen = true;
  } catch {
    show(box, "", "");  // no agent or no token yet: the Ký số button says so, and checks then
  }
}

function showFieldErrors(form, fields) {
  for (const old of form.querySelectorAll("p.field-error[data-from-agent]")) old.remove();
  for (const [key, message] of Object.entries(fields)) {
    const field = form.querySelector(`[data-field="${CSS.escape(key)}"]`);
    if (!field || key === "signing") continue;  // the signing messages go in the status line
    const note = document.createElement("p");
    note.className = "field-error";
    note.dataset.errorFor = key;
    note.dataset.fromAgent = "";
    note.textContent = message;
    field.append(note);
  }
}

async function signWithToken(form, box, status) {
  const csrf = form.elements.csrf_token.value;
  status.textContent = box.dataset.msgConnecting;
  const token = await askAgent(box, "/certificate");
  const check = await tokenStatus(box, csrf, token.certificate);
  if (check.answer.refused) throw new Refused(check.answer.message);
  if (check.answer.warning && !check.seen) {  // not shown before this press: read it, then press again
    check.seen = true;
    return null;
  }
  const request = await askServer(box, box.dataset.requestUrl, csrf,
    JSON.stringify({ certificate: token.certificate }), "application/json");
  // The agent's prompt shows the hash read from what it signs; the holder compares the two.
  status.textContent = `${box.dataset.msgPin} ${box.dataset.msgDigest.replace("{digest}", request.digest)}`;
  const signed = await askAgent(box, "/sign", request);
  status.textContent = box.dataset.msgSaving;
  const data = new FormData(form);
  data.delete("signing_password");
  data.set("decision", box.dataset.decision);  // "sign", or "approve" for a ký nháy
  data.set("request_id", signed.id);
  data.set("signature", signed.signature);
  return askServer(box, box.dataset.signUrl, csrf, data);
}

for (const box of document.querySelectorAll("[data-sign-agent]")) {
  const form = box.closest("form");
  const status = box.querySelector(".agent-status");
  const panels = box.querySelectorAll("[data-method]");
  const method = () => box.querySelector("input[name=signing_method]:checked").value;
  box.querySelector("[data-agent-choice]").hidden = false;  // needs this script: shown by it
  box.addEventListener("change", (event) => {
    if (event.target.name !== "signing_method") return;
    for (const panel of panels) panel.hidden = panel.dataset.method !== method();
    if (method() === "agent") showTokenStatus(box, form.elements.csrf_token.value);
    else if (serverAnswers.has(box)) showAnswer(box, serverAnswers.get(box));
    else show(box, "", "");
  });
  form.addEventListener("submit", async (event) => {
    if (method() !== "agent" || !event.submitter || event.submitter.value !== box.dataset.decision) return;
    event.preventDefault();
    const buttons = form.querySelectorAll("button[type=submit]");
    for (const button of buttons) button.disabled = true;
    status.classList.remove("bad");
    try {
      const done = await signWithToken(form, box, status);
      if (done === null) {
        status.textContent = box.dataset.msgWarned;
        for (const button of buttons) button.disabled = false;
        return;
      }
      form.outerHTML = done.html;  // trusted: our own template, autoescaped
    } catch (error) {
      status.textContent = error instanceof Refused ? error.message : box.dataset.msgFailed;
      status.classList.add("bad");
      showFieldErrors(form, error.fields || {});
      for (const button of buttons) button.disabled = false;
    }
  });
}
