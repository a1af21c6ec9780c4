// Ký bằng chữ ký số từ xa: on the task page's "sign" decision, the form goes to our server,
// which sends the hash to the leader's remote signing service; the page then shows
// "Đang chờ xác nhận trên điện thoại…" with the time left and a cancel button, and asks our
// server every few seconds (no request is held open) until the signature has arrived and the
// task is completed, or the request was refused, cancelled or timed out.

import { Refused, askServer } from "./agent-client.js";

const POLL_MS = 2000;

for (const panel of document.querySelectorAll("[data-remote-sign]")) {
  const box = panel.closest("[data-sign-agent]");
  const form = panel.closest("form");
  const status = box.querySelector(".agent-status");
  const wait = panel.querySelector(".remote-wait");
  const left = panel.querySelector("[data-remote-left]");
  const cancelButton = panel.querySelector("[data-remote-cancel]");
  const csrf = form.elements.csrf_token.value;
  const buttons = form.querySelectorAll("button[type=submit]");
  box.querySelector("[data-remote-choice]").hidden = false;  // needs this script: shown by it
  let current = null;  // the request waiting, with its timers

  const chosen = () => box.querySelector("input[name=signing_method]:checked").value === "remote";

  function finish(message, bad) {
    if (current) { clearInterval(current.ticker); clearTimeout(current.poller); }
    current = null;
    wait.hidden = true;
    status.textContent = message || "";
    status.classList.toggle("bad", Boolean(bad));
    for (const button of buttons) button.disabled = false;
  }

  function follow(answer) {
    if (answer.state === "completed") {
      if (current) { clearInterval(current.ticker); clearTimeout(current.poller); }
      status.textContent = panel.dataset.msgDone;
      window.location.assign(answer.redirect);
      return;
    }
    if (answer.state !== "waiting") {
      finish(answer.message || panel.dataset.msgFailed, true);
      return;
    }
    if (!current) {
      const seconds = (Date.parse(answer.expires_at) - Date.parse(answer.created_at)) / 1000;
      current = { answer, deadline: Date.now() + seconds * 1000 };
      const tick = () => {
        const remaining = Math.max(0, Math.round((current.deadline - Date.now()) / 1000));
        left.textContent = panel.dataset.msgLeft.replace("{seconds}", remaining);
      };
      tick();
      current.ticker = setInterval(tick, 1000);
      status.textContent = "";
      wait.hidden = false;
    }
    current.poller = setTimeout(poll, POLL_MS);
  }

  async function poll() {
    if (!current) return;
    try {
      follow(await askServer(panel, current.answer.check_url, csrf));
    } catch (error) {
      finish(error instanceof Refused ? error.message : panel.dataset.msgFailed, true);
    }
  }

  cancelButton.addEventListener("click", async () => {
    if (!current) return;
    const url = current.answer.cancel_url;
    clearTimeout(current.poller);
    try {
      const answer = await askServer(panel, url, csrf);
      finish(answer.message, true);
    } catch (error) {
      finish(error instanceof Refused ? error.message : panel.dataset.msgFailed, true);
    }
  });

  form.addEventListener("submit", async (event) => {
    // "sign", or "approve" on a step whose approval is a signature (ký nháy)
    if (!chosen() || !event.submitter || event.submitter.value !== box.dataset.decision) return;
    event.preventDefault();
    for (const button of buttons) button.disabled = true;
    status.classList.remove("bad");
    status.textContent = panel.dataset.msgSending;
    const data = new FormData(form);
    data.delete("signing_password");
    data.set("decision", box.dataset.decision);
    try {
      follow(await askServer(panel, panel.dataset.startUrl, csrf, data));
    } catch (error) {
      finish(error instanceof Refused ? error.message : panel.dataset.msgFailed, true);
    }
  });
}
