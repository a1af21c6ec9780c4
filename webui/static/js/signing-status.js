// Before signing: as the signing step opens, ask our server for the status of the certificate the
// signer's key on the server carries (OCSP, then CRL; engine.signatures.before_signing). A refusal
// (revoked, unknown to its CA, expired, or responders silent where the agency then refuses) is
// shown and the password field disabled, before anything is typed; a warning is shown and the
// password stays usable (the agency signs with the warning kept). The signature's own check,
// when it is made, is the one that counts.

for (const box of document.querySelectorAll("[data-sign-agent][data-status-url]")) {
  const note = box.querySelector("[data-testid=signing-check]");
  const password = box.querySelector("input[name=signing_password]");

  function show(text, kind) {
    note.textContent = text;
    note.className = `signing-check ${kind}`;
    note.hidden = !text;
  }

  async function check() {
    show(box.dataset.msgChecking, "pending");
    let answer;
    try {
      const response = await fetch(box.dataset.statusUrl, {
        credentials: "same-origin", headers: { Accept: "application/json" },
      });
      if (!response.ok) { show("", ""); return; }
      answer = await response.json();
    } catch (error) {
      show("", "");
      return;
    }
    box.dataset.signingStatus = answer.status || "none";
    if (answer.refused) {
      show(answer.message, "bad");
      if (password) { password.disabled = true; password.value = ""; }
    } else if (answer.warning) {
      show(answer.warning, "warn");
    } else if (answer.checked && answer.status === "good") {
      show(box.dataset.msgGood.replace("{source}", (answer.source || "").toUpperCase()), "good");
    } else {
      show("", "");
    }
  }

  check();
}
