// Uploads a PDF with XMLHttpRequest, so the page can show the upload's progress; the
// CSRF token goes in a header, and a refusal's message is shown beside the form.
for (const form of document.querySelectorAll("form[data-upload]")) {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const bar = form.querySelector("progress");
    const message = form.querySelector(".upload-message");
    const button = form.querySelector("button[type=submit]");
    const request = new XMLHttpRequest();
    request.open("POST", form.action);
    request.setRequestHeader("Accept", "application/json");
    request.setRequestHeader("X-CSRF-Token", form.elements.csrf_token.value);
    request.upload.addEventListener("progress", (progress) => {
      if (progress.lengthComputable) {
        bar.max = progress.total;
        bar.value = progress.loaded;
      }
    });
    request.addEventListener("load", () => {
      button.disabled = false;
      if (request.status === 201) {
        bar.value = bar.max;
        message.textContent = form.dataset.done;
        form.dataset.uploaded = "1";
        window.location.reload();
        return;
      }
      let text = form.dataset.failed;
      try {
        const body = JSON.parse(request.responseText);
        text = (body.fields && body.fields.file) || body.error || text;
      } catch {
        // not JSON (a proxy's error page): the generic message stays
      }
      message.textContent = text;
      form.classList.add("failed");
    });
    request.addEventListener("error", () => {
      button.disabled = false;
      message.textContent = form.dataset.failed;
      form.classList.add("failed");
    });
    form.classList.remove("failed");
    message.textContent = "";
    bar.hidden = false;
    bar.value = 0;
    button.disabled = true;
    request.send(new FormData(form));
  });
}
