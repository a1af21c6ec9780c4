// Ký số hàng loạt with a USB token, on the Chờ ký list: for each ticked document our server
// prepares its signing step's one-time request (as the task page's "Ký bằng USB token" does),
// the official's sign agent signs them all after one PIN typed in its own window (its prompt
// lists every document with its hash), and each signature completes its step on the server,
// one after the other, stopping at the first refusal. Then the list comes back with what was done.

import { Refused, askAgent, askServer } from "./agent-client.js";

const url = (template, task) => template.replace("TASK", encodeURIComponent(task));

async function signTicked(form, box, status, tasks) {
  const csrf = form.elements.csrf_token.value;
  status.textContent = box.dataset.msgConnecting;
  const token = await askAgent(box, "/certificate");
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
}

for (const box of document.querySelectorAll("[data-sign-many]")) {
  const form = box.closest("form");
  const status = box.querySelector(".agent-status");
  const method = () => box.querySelector("input[name=signing_method]:checked").value;
  box.querySelector("[data-agent-choice]").hidden = false;  // needs this script: shown by it
  box.addEventListener("change", () => {
    box.querySelector("[data-method=password]").hidden = method() !== "password";
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
      await signTicked(form, box, status, tasks);
      window.location.assign(box.dataset.back);
    } catch (error) {
      status.textContent = error instanceof Refused ? error.message : box.dataset.msgFailed;
      status.classList.add("bad");
      event.submitter.disabled = false;  // steps completed before a refusal stay so: the list shows them on reload
    }
  });
}
