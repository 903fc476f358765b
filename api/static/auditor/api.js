// The app's own HTTP API, same origin only: the bearer token from the session, the chosen
// language in Accept-Language, problems (RFC 9457) turned into errors that carry their detail.

import { session } from "./session.js";

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

async function request(path, accept) {
  if (!path.startsWith("/") || path.startsWith("//")) throw new Error("same-origin paths only");
  const headers = { Accept: accept, "Accept-Language": session.lang };
  if (session.token) headers.Authorization = `Bearer ${session.token}`;
  const response = await fetch(path, { headers, credentials: "omit", cache: "no-store", referrerPolicy: "no-referrer" });
  if (!response.ok) {
    let problem = {};
    try {
      problem = await response.json();
    } catch {
      problem = { title: response.statusText };
    }
    throw new ApiError(response.status, problem);
  }
  return response;
}

export const api = {
  async json(path) {
    return (await request(path, "application/json")).json();
  },
  async text(path) {
    return (await request(path, "text/plain, application/json")).text();
  },
};

/** A query string of the non-empty values. */
export function query(params) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") search.set(name, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}
