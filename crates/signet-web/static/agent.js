// The Signet page's client of the local signing agent (`signet agent`), an ES module.
//
//   import { agentInfo, pair, listCertificates, signDigests } from "/static/agent.js";
//
// The page needs a CSP that allows it: script-src 'self'; connect-src 'self'
// http://127.0.0.1:8765 (the agent's address). Every function takes the agent's base URL
// (default http://127.0.0.1:8765) and throws an AgentError on failure: `status` is the HTTP
// status (0 when the agent cannot be reached — not running, or this page not paired and
// the browser hid the answer), `code` the agent's error code (unpaired_origin,
// pairing_refused, pin_required, pin_incorrect, pin_locked, unknown_certificate,
// bad_request, token_error, agent_unreachable).

export const DEFAULT_BASE = "http://127.0.0.1:8765";

export class AgentError extends Error {
  constructor(status, code, message) {
    super(message || code);
    this.name = "AgentError";
    this.status = status;
    this.code = code;
  }
}

async function call(base, path, init) {
  let response;
  try {
    response = await fetch((base || DEFAULT_BASE) + path, {
      mode: "cors",
      credentials: "omit",
      cache: "no-store",
      ...init,
    });
  } catch (e) {
    throw new AgentError(0, "agent_unreachable", "the signing agent cannot be reached: " + e);
  }
  let body = null;
  try {
    body = await response.json();
  } catch (e) {
    body = null;
  }
  if (!response.ok) {
    const code = (body && body.error) || "http_" + response.status;
    throw new AgentError(response.status, code, body && body.message);
  }
  return body;
}

function post(base, path, body) {
  return call(base, path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

function toBase64(digest) {
  if (typeof digest === "string") return digest;
  const bytes = digest instanceof ArrayBuffer ? new Uint8Array(digest) : new Uint8Array(digest.buffer, digest.byteOffset, digest.byteLength);
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

/** {agent, version, module, tokens: [{label, serial}]} */
export function agentInfo(base = DEFAULT_BASE) {
  return call(base, "/v1/info");
}

/** Pairs this page's origin with the agent, by the code the agent printed. */
export function pair(base = DEFAULT_BASE, code) {
  return post(base, "/v1/pair", { code: String(code || "").trim() });
}

/** [{id, token, label, subject, issuer, serial, not_after, der, chain}] (DER as base64). */
export async function listCertificates(base = DEFAULT_BASE) {
  const body = await call(base, "/v1/certificates");
  return body.certificates;
}

/**
 * Signs digests (base64 strings, ArrayBuffers or typed arrays) with one PIN login.
 * `pin` may be omitted: the agent then asks on its own terminal, or answers pin_required.
 * `context`: {origin_label, documents: [{notation, subject}]}, shown by the agent.
 * Returns {signatures: [base64], algorithm: "rsa-pkcs1v15-sha256" | "ecdsa-p256-sha256" |
 * "ecdsa-p384-sha384"}; ECDSA signatures are DER, as CMS wants them.
 */
export function signDigests(base = DEFAULT_BASE, { certificateId, pin, digests, context, digestAlgorithm = "sha256" }) {
  const body = {
    certificate_id: certificateId,
    digest_algorithm: digestAlgorithm,
    digests: (digests || []).map(toBase64),
    context: context || {},
  };
  if (pin) body.pin = pin;
  return post(base, "/v1/sign", body);
}
