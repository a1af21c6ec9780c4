// Before signing: as the signing step opens, ask our server for the status of the certificate the
// signer's key on the server carries (OCSP, then CRL; engine.signatures.before_signing). A refusal
// (revoked, unknown to its CA, expired, or responders silent where the agency then refuses) is
// shown and the password field disabled, before anything is typed; a warning is shown and the
// password stays usable (the agency signs with the warning kept). The signature's own check,
// when it is made, is the one that counts. A USB token's certificate: sign-agent.js.

import { serverAnswers, show, showAnswer } from "./signing-check.js";

for (const box of document.querySelectorAll("[data-sign-agent][data-status-url]")) {
  const password = box.querySelector("input[name=signing_password]");

  async function check() {
    show(box, box.dataset.msgChecking, "pending");
    let answer;
    try {
      const response = await fetch(box.dataset.statusUrl, {
        credentials: "same-origin", headers: { Accept: "application/json" },
      });
      if (!response.ok) { show(box, "", ""); return; }
      answer = await response.json();
    } catch (error) {
      show(box, "", "");
      return;
    }
    serverAnswers.set(box, answer);
    if (answer.refused && password) { password.disabled = true; password.value = ""; }
    // the holder may have chosen the token meanwhile: its own answer stays in sight
    if (box.querySelector("input[name=signing_method]:checked").value === "password") showAnswer(box, answer);
  }

  check();
}
