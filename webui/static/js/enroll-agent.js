// Đăng ký chứng thư số trên USB token: the agent reads the token's certificate, our server makes
// an enrollment request for it, the agent signs it once the holder typed their PIN in the agent's
// own window (their confirmation, and the proof the token holds the key), and the server registers
// the certificate to this account. No key leaves the token.

import { Refused, askAgent, askServer } from "./agent-client.js";

for (const box of document.querySelectorAll("[data-enroll-agent]")) {
  const button = box.querySelector("[data-enroll]");
  const status = box.querySelector(".agent-status");
  button.hidden = false;  // needs this script: shown by it
  button.addEventListener("click", async () => {
    button.disabled = true;
    status.classList.remove("bad");
    try {
      status.textContent = box.dataset.msgConnecting;
      const token = await askAgent(box, "/certificate");
      const request = await askServer(box, box.dataset.requestUrl, box.dataset.csrf,
        JSON.stringify({ certificate: token.certificate }), "application/json");
      status.textContent = box.dataset.msgPin;
      const signed = await askAgent(box, "/sign", request);
      status.textContent = box.dataset.msgSaving;
      await askServer(box, box.dataset.enrollUrl, box.dataset.csrf, JSON.stringify(
        { certificate: token.certificate, request, signature: signed.signature }), "application/json");
      window.location.reload();  // the list, with the message the server flashed
    } catch (error) {
      status.textContent = error instanceof Refused ? error.message : box.dataset.msgFailed;
      status.classList.add("bad");
      button.disabled = false;
    }
  });
}
