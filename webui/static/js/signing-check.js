// What the signing step shows of a certificate's status before anything is typed (the answer of
// /tasks/<id>/signing-status, engine.signatures.before_signing): a refusal, a warning the signature
// would carry, or that the certificate is good. Shared by the key on the server (signing-status.js)
// and the USB token (sign-agent.js); the answer shown last for the key on the server is kept, to
// show it again when the signer goes back to the password.

export const serverAnswers = new WeakMap();

export function show(box, text, kind) {
  const note = box.querySelector("[data-testid=signing-check]");
  note.textContent = text;
  note.className = `signing-check ${kind}`;
  note.hidden = !text;
}

export function showAnswer(box, answer) {
  box.dataset.signingStatus = answer.status || "none";
  if (answer.refused) {
    show(box, answer.message, "bad");
  } else if (answer.warning) {
    show(box, answer.warning, "warn");
  } else if (answer.checked && answer.status === "good") {
    show(box, box.dataset.msgGood.replace("{source}", (answer.source || "").toUpperCase()), "good");
  } else {
    show(box, "", "");
  }
}
