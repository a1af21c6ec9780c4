// Talking to the official's own sign agent (qlvb sign-agent, on 127.0.0.1 of their computer)
// and to our server from a page: shared by the task page's "Ký bằng USB token" (sign-agent.js)
// and the enrollment of a token's certificate (enroll-agent.js). A box element carries the
// agent's address (data-agent) and the page's messages (data-msg-*).

const AGENT_REFUSALS = { 401: "msgWrongPin", 503: "msgNoToken" };

export class Refused extends Error {}

async function json(response) {
  try {
    return await response.json();
  } catch {
    return {};  // not JSON (a proxy's error page): the generic message is shown
  }
}

// The agent's answer, or a Refused with the page's own message for what the holder can fix.
export async function askAgent(box, path, body) {
  let response;
  try {
    response = await fetch(box.dataset.agent + path, body === undefined ? {} : {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
  } catch {
    // Nothing listens there, or the agent answers another origin: either way it must be
    // started for this page's origin, exactly as the browser sends it.
    throw new Refused(box.dataset.msgNoAgent.replace("{origin}", window.location.origin));
  }
  const answer = await json(response);
  if (!response.ok) {
    const known = AGENT_REFUSALS[response.status];
    throw new Refused(known ? box.dataset[known] : answer.error || box.dataset.msgFailed);
  }
  return answer;
}

export async function askServer(box, url, csrf, body, contentType) {
  const headers = { Accept: "application/json", "X-CSRF-Token": csrf };
  if (contentType) headers["Content-Type"] = contentType;
  const response = await fetch(url, { method: "POST", headers, body, credentials: "same-origin" });
  const answer = await json(response);
  if (!response.ok) {
    const error = new Refused(answer.error || box.dataset.msgFailed);
    error.fields = answer.fields || {};
    throw error;
  }
  return answer;
}
