// The passkey step of the approval page and of approver enrollment. Served from this server
// (the pages' CSP allows no inline script and nothing from elsewhere).
"use strict";

function toBytes(base64url) {
  const base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
  const padded = base64 + "=".repeat((4 - (base64.length % 4)) % 4);
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
}

function toBase64url(buffer) {
  const bytes = new Uint8Array(buffer);
  let text = "";
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

async function options(form) {
  const csrf = form.querySelector("input[name=csrf]");
  const response = await fetch(form.querySelector("#passkey_options").value, {
    method: "POST",
    headers: csrf ? { "x-csrf-token": csrf.value } : {},
    credentials: "same-origin",
  });
  if (!response.ok) throw new Error(await response.text());
  return response.json();
}

async function approveWithPasskey(form, submitter) {
  const request = await options(form);
  request.challenge = toBytes(request.challenge);
  request.allowCredentials = (request.allowCredentials || []).map((c) => ({ ...c, id: toBytes(c.id) }));
  const credential = await navigator.credentials.get({ publicKey: request });
  form.querySelector("#assertion").value = JSON.stringify({
    id: credential.id,
    rawId: toBase64url(credential.rawId),
    type: credential.type,
    response: {
      authenticatorData: toBase64url(credential.response.authenticatorData),
      clientDataJSON: toBase64url(credential.response.clientDataJSON),
      signature: toBase64url(credential.response.signature),
      userHandle: credential.response.userHandle ? toBase64url(credential.response.userHandle) : null,
    },
    clientExtensionResults: {},
  });
  const decision = document.createElement("input");
  decision.type = "hidden";
  decision.name = "decision";
  decision.value = submitter.value;
  form.appendChild(decision);
  form.submit();
}

async function enrollPasskey(form) {
  const request = await options(form);
  request.challenge = toBytes(request.challenge);
  request.user.id = toBytes(request.user.id);
  request.excludeCredentials = (request.excludeCredentials || []).map((c) => ({ ...c, id: toBytes(c.id) }));
  const credential = await navigator.credentials.create({ publicKey: request });
  form.querySelector("#attestation").value = JSON.stringify({
    id: credential.id,
    rawId: toBase64url(credential.rawId),
    type: credential.type,
    response: {
      attestationObject: toBase64url(credential.response.attestationObject),
      clientDataJSON: toBase64url(credential.response.clientDataJSON),
      transports: credential.response.getTransports ? credential.response.getTransports() : [],
    },
    clientExtensionResults: {},
  });
  form.submit();
}

function fail(error) {
  const note = document.createElement("p");
  note.className = "notice";
  note.id = "passkey_error";
  note.textContent = "Passkey step failed: " + error;
  document.querySelector("main").appendChild(note);
}

document.addEventListener("DOMContentLoaded", () => {
  const decision = document.getElementById("decision");
  if (decision && document.getElementById("assertion")) {
    decision.addEventListener("submit", (event) => {
      if (!event.submitter || event.submitter.value !== "approve") return;
      event.preventDefault();
      approveWithPasskey(decision, event.submitter).catch(fail);
    });
  }
  const enroll = document.getElementById("enroll");
  if (enroll) {
    enroll.addEventListener("submit", (event) => {
      event.preventDefault();
      enrollPasskey(enroll).catch(fail);
    });
  }
});
