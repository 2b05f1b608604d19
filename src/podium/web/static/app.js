// Podium web UI: sign-in (authorization code + PKCE), streamed chat, memory and catalog panels.
// Plain browser JavaScript, no build step. All text from the server is inserted with
// textContent, never as HTML.
"use strict";

(() => {
  const SESSION_HEADER = "X-Amzn-Bedrock-AgentCore-Runtime-Session-Id";
  const KEY_TOKEN = "podium.token";
  const KEY_PKCE = "podium.pkce";
  const KEY_SESSION = "podium.session";
  const KEY_NOTICE = "podium.notice";
  const CITATION = /\[([A-Z]{3}\d{3})\]/g;

  const $ = (id) => document.getElementById(id);
  const state = {
    config: null, token: null, actor: null, sessionId: null, busy: false, turn: 0,
    // The attendee's notes by session code, for the cards' controls: {rating, attended}.
    feedback: new Map(), agenda: new Set(),
  };

  class ApiError extends Error {
    constructor(status, code, message) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }
  class Offline extends Error {}

  // -- small helpers ----------------------------------------------------------------------------

  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") node.className = v;
      else if (k === "text") node.textContent = v;
      else node.setAttribute(k, v === true ? "" : String(v));
    }
    for (const child of children) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function show(id, visible) {
    $(id).hidden = !visible;
  }

  function showStatus(message, { retry = null } = {}) {
    $("status-text").textContent = message;
    $("status-retry").hidden = !retry;
    $("status-retry").onclick = retry
      ? () => {
          hideStatus();
          retry();
        }
      : null;
    show("status", true);
  }

  function hideStatus() {
    show("status", false);
  }

  function b64url(bytes) {
    let s = "";
    for (const b of new Uint8Array(bytes)) s += String.fromCharCode(b);
    return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function randomString(n = 32) {
    return b64url(crypto.getRandomValues(new Uint8Array(n)));
  }

  function newSessionId() {
    // 33-256 visible characters, as the runtime contract requires.
    return `web-${crypto.randomUUID()}`;
  }

  function formatTime(epochSeconds) {
    if (!epochSeconds) return "";
    return new Date(epochSeconds * 1000).toLocaleString(undefined, {
      dateStyle: "medium",
      timeStyle: "short",
    });
  }

  function tokenExpiry(token) {
    try {
      const payload = JSON.parse(atob(token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")));
      return typeof payload.exp === "number" ? payload.exp : null;
    } catch {
      return null;
    }
  }

  // -- HTTP -------------------------------------------------------------------------------------

  async function request(path, { method = "GET", body = null, headers = {}, auth = true } = {}) {
    const h = { Accept: "application/json", ...headers };
    if (auth && state.token) h.Authorization = `Bearer ${state.token}`;
    if (body !== null && !(body instanceof URLSearchParams)) h["Content-Type"] = "application/json";
    let response;
    try {
      response = await fetch(path, {
        method,
        headers: h,
        body: body === null ? undefined : body instanceof URLSearchParams ? body : JSON.stringify(body),
      });
    } catch (e) {
      throw new Offline("Cannot reach the Podium server. Is `podium up` still running?");
    }
    return response;
  }

  async function errorOf(response) {
    let code = `HTTP ${response.status}`;
    let message = response.statusText || "request failed";
    try {
      const data = await response.json();
      code = data.error || code;
      message = data.message || data.error_description || message;
    } catch {
      /* not JSON */
    }
    return new ApiError(response.status, code, message);
  }

  async function api(path, options = {}) {
    const response = await request(path, options);
    if (!response.ok) throw await errorOf(response);
    return response.json();
  }

  // Every failure ends up here: a message on screen, never a blank page.
  function handleError(err, context) {
    if (err instanceof ApiError && err.status === 401 && state.config && state.config.auth) {
      expireLogin();
      return;
    }
    if (err instanceof Offline) {
      showStatus(err.message, { retry: () => boot() });
      return;
    }
    const prefix = context ? `${context}: ` : "";
    showStatus(`${prefix}${err.message || err}`);
  }

  // -- sign-in ----------------------------------------------------------------------------------

  function redirectUri() {
    return `${location.origin}/`;
  }

  async function signIn() {
    const cfg = state.config;
    const verifier = randomString(48);
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
    const st = randomString(16);
    sessionStorage.setItem(
      KEY_PKCE,
      JSON.stringify({ state: st, verifier, redirect_uri: redirectUri(), token_endpoint: cfg.token_endpoint })
    );
    const url = new URL(cfg.authorization_endpoint, location.origin);
    url.search = new URLSearchParams({
      response_type: "code",
      client_id: cfg.client_id,
      redirect_uri: redirectUri(),
      scope: cfg.scope,
      state: st,
      nonce: randomString(16),
      code_challenge: b64url(digest),
      code_challenge_method: "S256",
    }).toString();
    location.assign(url.toString());
  }

  async function completeSignIn(params) {
    const saved = JSON.parse(sessionStorage.getItem(KEY_PKCE) || "null");
    sessionStorage.removeItem(KEY_PKCE);
    history.replaceState(null, "", "/");
    if (params.get("error")) {
      throw new ApiError(400, params.get("error"), params.get("error_description") || params.get("error"));
    }
    if (!saved || saved.state !== params.get("state")) {
      throw new ApiError(400, "invalid_state", "The sign-in response did not match this browser tab. Please sign in again.");
    }
    const body = new URLSearchParams({
      grant_type: "authorization_code",
      code: params.get("code"),
      redirect_uri: saved.redirect_uri,
      client_id: state.config.client_id,
      code_verifier: saved.verifier,
    });
    const response = await request(saved.token_endpoint, {
      method: "POST",
      body,
      auth: false,
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
    });
    if (!response.ok) throw await errorOf(response);
    const data = await response.json();
    state.token = data.access_token;
    sessionStorage.setItem(KEY_TOKEN, state.token);
  }

  function signOut(message = "") {
    state.token = null;
    state.actor = null;
    sessionStorage.removeItem(KEY_TOKEN);
    sessionStorage.removeItem(KEY_SESSION);
    $("signin-message").textContent = message;
    show("app", false);
    show("who", false);
    show("sign-out", false);
    show("loading", false);
    show("signin", true);
    $("sign-in").focus();
  }

  function expireLogin() {
    signOut("Your sign-in has expired. Please sign in again.");
  }

  // -- boot -------------------------------------------------------------------------------------

  /** The search form's filter options come from the server's catalog vocabulary. */
  function fillCatalogFilters(catalog) {
    if (!catalog) return;
    const fill = (id, items) => {
      const select = $(id);
      while (select.options.length > 1) select.remove(1);
      for (const item of items) {
        const option = document.createElement("option");
        if (typeof item === "object") {
          option.value = String(item.value);
          option.textContent = item.label;
        } else {
          option.textContent = item;
        }
        select.append(option);
      }
    };
    fill("catalog-day", catalog.days);
    fill("catalog-level", catalog.levels);
    fill("catalog-type", catalog.session_types);
    fill("catalog-topic", catalog.topics);
  }

  async function boot() {
    hideStatus();
    show("loading", true);
    try {
      state.config = await api("/api/config", { auth: false });
    } catch (err) {
      show("loading", false);
      showStatus(
        err instanceof Offline ? err.message : `Podium could not load its configuration: ${err.message}`,
        { retry: () => boot() }
      );
      return;
    }
    $("dev-hint").hidden = state.config.provider !== "dev";
    fillCatalogFilters(state.config.catalog);
    const params = new URLSearchParams(location.search);
    const notice = sessionStorage.getItem(KEY_NOTICE);
    sessionStorage.removeItem(KEY_NOTICE);
    try {
      if (params.has("code") || params.has("error")) await completeSignIn(params);
    } catch (err) {
      signOut(`Sign-in failed: ${err.message}`);
      return;
    }
    if (state.config.auth) {
      state.token = sessionStorage.getItem(KEY_TOKEN);
      const exp = state.token ? tokenExpiry(state.token) : null;
      if (!state.token) {
        signOut(notice || "");
        return;
      }
      if (exp !== null && exp * 1000 <= Date.now()) {
        expireLogin();
        return;
      }
    }
    try {
      const me = await api("/api/me");
      state.actor = me.actor_id;
      renderModel(me.model);
    } catch (err) {
      show("loading", false);
      handleError(err, "Could not load your profile");
      return;
    }
    $("actor").textContent = state.actor;
    show("who", true);
    show("sign-out", state.config.auth);
    show("loading", false);
    show("signin", false);
    show("app", true);
    state.sessionId = sessionStorage.getItem(KEY_SESSION) || newSessionId();
    sessionStorage.setItem(KEY_SESSION, state.sessionId);
    await loadSessions();
    await loadAgenda();
    if ($("memory-panel").open) await loadMemory();
    $("prompt").focus();
  }

  function renderModel(model) {
    if (!model) return;
    $("model-name").textContent = model.provider === "offline" ? "offline model" : `${model.provider}: ${model.model}`;
    $("offline-badge").hidden = !model.offline;
    show("model", true);
  }

  // -- sessions ---------------------------------------------------------------------------------

  async function loadSessions() {
    let data;
    try {
      data = await api("/api/sessions");
    } catch (err) {
      handleError(err, "Could not load your sessions");
      return;
    }
    const list = $("session-list");
    list.replaceChildren();
    for (const s of data.sessions) {
      const current = s.id === state.sessionId;
      const button = el(
        "button",
        { type: "button", class: "session-item", "aria-current": current ? "true" : null, "data-session": s.id },
        el("span", { class: "session-title", text: s.title }),
        el("span", { class: "session-time", text: formatTime(s.last_event_at) })
      );
      button.addEventListener("click", () => openSession(s.id));
      list.append(el("li", {}, button));
    }
    show("sessions-empty", data.sessions.length === 0);
  }

  function clearChat() {
    $("messages").replaceChildren($("chat-empty") || el("p"));
    show("chat-empty", true);
  }

  async function openSession(sessionId) {
    if (state.busy) return;
    let data;
    try {
      data = await api(`/api/sessions/${encodeURIComponent(sessionId)}/messages`);
    } catch (err) {
      handleError(err, "Could not open that session");
      return;
    }
    state.sessionId = sessionId;
    sessionStorage.setItem(KEY_SESSION, sessionId);
    clearChat();
    for (const m of data.messages) {
      const bubble = addMessage(m.role === "user" ? "user" : "assistant");
      renderText(bubble.querySelector(".text"), m.text, null);
    }
    show("chat-empty", data.messages.length === 0);
    await loadSessions();
    $("prompt").focus();
  }

  function newSession() {
    if (state.busy) return;
    state.sessionId = newSessionId();
    sessionStorage.setItem(KEY_SESSION, state.sessionId);
    clearChat();
    for (const item of document.querySelectorAll(".session-item[aria-current]")) item.removeAttribute("aria-current");
    $("prompt").focus();
  }

  // -- chat -------------------------------------------------------------------------------------

  function addMessage(role) {
    show("chat-empty", false);
    const who = role === "user" ? "You" : "Podium";
    const node = el(
      "article",
      { class: `message message-${role}`, "aria-label": `${who} said` },
      el("p", { class: "message-who", text: who }),
      el("div", { class: "text" })
    );
    $("messages").append(node);
    node.scrollIntoView({ block: "end" });
    return node;
  }

  // Text with [CODE] citations turned into links to the matching card below the answer.
  function renderText(container, text, cardIds) {
    container.replaceChildren();
    let last = 0;
    for (const match of text.matchAll(CITATION)) {
      container.append(document.createTextNode(text.slice(last, match.index)));
      const target = cardIds && cardIds.get(match[1]);
      container.append(
        target
          ? el("a", { href: `#${target}`, class: "citation", text: match[0] })
          : el("span", { class: "citation", text: match[0] })
      );
      last = match.index + match[0].length;
    }
    container.append(document.createTextNode(text.slice(last)));
  }

  function sessionCard(s, { idPrefix, cited } = {}) {
    const id = idPrefix ? `${idPrefix}-${s.code}` : null;
    const time = [s.day, s.start && s.end ? `${s.start}–${s.end}` : s.start].filter(Boolean).join(" ");
    const place = [s.room, s.venue].filter(Boolean).join(", ");
    const facts = el("dl", { class: "card-facts" });
    const add = (term, value) => {
      if (value === null || value === undefined || value === "") return;
      facts.append(el("dt", { text: term }), el("dd", { text: value }));
    };
    add("When", time);
    add("Where", place);
    add("Level", s.level);
    add("Type", s.type);
    if (s.topics && s.topics.length) add("Topics", s.topics.join(", "));
    const card = el(
      "article",
      { class: "card", id, tabindex: id ? "-1" : null, "data-code": s.code },
      el(
        "h3",
        { class: "card-title" },
        el("span", { class: "card-code", text: s.code }),
        " ",
        el("span", { text: s.title })
      ),
      cited ? el("span", { class: "badge badge-cited", text: "cited" }) : null,
      facts
    );
    if (s.why && s.why.length) {
      card.append(
        el("p", { class: "card-why-title", text: "Why it matches" }),
        el("ul", { class: "card-why" }, ...s.why.map((w) => el("li", { text: w })))
      );
    }
    if (s.summary) card.append(el("p", { class: "card-summary", text: s.summary }));
    if (s.code) card.append(cardControls(s.code));
    return card;
  }

  // The stored preferences that personalised this answer, with a way to correct them: the
  // memory panel (delete a record) and a started "I'm not into ..." sentence in the prompt.
  function profileUsed(terms) {
    const fix = el("button", { type: "button", class: "link-button profile-fix", text: "not right?" });
    fix.addEventListener("click", async () => {
      const panel = $("memory-panel");
      panel.open = true;
      panel.scrollIntoView({ block: "nearest" });
      await loadMemory();
      const prompt = $("prompt");
      if (!prompt.value.trim()) prompt.value = "I'm not into ";
      prompt.focus();
    });
    return el("p", { class: "profile-used" }, `Using: ${terms.join(", ")} · `, fix);
  }

  // -- agenda and feedback ----------------------------------------------------------------------

  // "Add to agenda", "I went" and a 1-5 rating on every session card.
  function cardControls(code) {
    const known = state.feedback.get(code) || {};
    const agendaButton = el("button", {
      type: "button", class: "btn btn-quiet card-agenda",
      text: state.agenda.has(code) ? "On your agenda" : "Add to agenda",
    });
    agendaButton.addEventListener("click", () => addToAgenda(code, agendaButton));
    const went = el("button", {
      type: "button", class: "btn btn-quiet card-went", "aria-pressed": known.attended ? "true" : "false",
      text: known.attended ? "I went ✓" : "I went",
    });
    went.addEventListener("click", () => giveFeedback(code, { attended: true }, went));
    const rating = el("select", { class: "card-rating", "aria-label": `Rate ${code}` },
      el("option", { value: "", text: "Rate…" }),
      ...[1, 2, 3, 4, 5].map((n) => el("option", { value: String(n), text: "★".repeat(n) })));
    if (known.rating) rating.value = String(known.rating);
    rating.addEventListener("change", () => {
      if (rating.value) giveFeedback(code, { rating: Number(rating.value) }, rating);
    });
    const status = el("span", { class: "card-note hint", role: "status" });
    return el("div", { class: "card-actions" }, agendaButton, went, rating, status);
  }

  function noteOn(control, text) {
    const status = control.closest(".card-actions").querySelector(".card-note");
    if (status) status.textContent = text;
  }

  async function addToAgenda(code, button) {
    button.disabled = true;
    let data;
    try {
      data = await api("/api/agenda", { method: "POST", body: { code } });
    } catch (err) {
      handleError(err, "Could not add that session to your agenda");
      return;
    } finally {
      button.disabled = false;
    }
    button.textContent = "On your agenda";
    const clashes = data.clashes.map((c) => `${c.code} (${c.day} ${c.start})`).join(", ");
    noteOn(button, clashes ? `Added. It clashes with ${clashes}.` : "Added to your agenda.");
    renderAgenda(data.agenda);
  }

  async function giveFeedback(code, body, control) {
    control.disabled = true;
    let data;
    try {
      data = await api("/api/feedback", { method: "POST", body: { code, ...body } });
    } catch (err) {
      handleError(err, "Could not save your feedback");
      return;
    } finally {
      control.disabled = false;
    }
    const note = data.feedback;
    state.feedback.set(code, { rating: note.rating, attended: note.attended });
    const went = control.closest(".card-actions").querySelector(".card-went");
    if (note.attended && went) {
      went.textContent = "I went ✓";
      went.setAttribute("aria-pressed", "true");
    }
    noteOn(control, note.rating ? `Thanks: ${note.rating}/5 saved.` : "Noted: you went.");
  }

  function renderAgenda(agenda) {
    state.agenda = new Set(agenda.map((a) => a.code));
    const items = agenda.map((a) => {
      const remove = el("button", { type: "button", class: "btn btn-quiet", text: "Remove",
        "aria-label": `Remove ${a.code} from your agenda` });
      remove.addEventListener("click", () => removeFromAgenda(a.code, remove));
      const when = [a.day, a.start && a.end ? `${a.start}–${a.end}` : a.start].filter(Boolean).join(" ");
      return el("li", { class: "agenda-item", "data-code": a.code },
        el("span", { class: "card-code", text: a.code }), " ", el("span", { text: a.title || "" }),
        el("span", { class: "hint", text: ` ${when}` }),
        a.clashes_with && a.clashes_with.length
          ? el("span", { class: "badge badge-clash", text: `clashes with ${a.clashes_with.join(", ")}` })
          : null,
        remove);
    });
    $("agenda-list").replaceChildren(...items);
    $("agenda-status").textContent = agenda.length
      ? `${agenda.length} ${agenda.length === 1 ? "session" : "sessions"} on your agenda.`
      : "Your agenda is empty: use “Add to agenda” on a session card.";
  }

  async function loadAgenda() {
    try {
      const [agenda, feedback] = await Promise.all([api("/api/agenda"), api("/api/feedback")]);
      state.feedback = new Map(feedback.feedback.map((f) => [f.code, f]));
      renderAgenda(agenda.agenda);
    } catch (err) {
      handleError(err, "Could not load your agenda");
    }
  }

  async function removeFromAgenda(code, button) {
    button.disabled = true;
    try {
      const data = await api(`/api/agenda/${encodeURIComponent(code)}`, { method: "DELETE" });
      renderAgenda(data.agenda);
    } catch (err) {
      button.disabled = false;
      handleError(err, "Could not remove that session");
    }
  }

  function renderFinal(bubble, final) {
    const cited = new Set(final.cited || []);
    const sessions = final.sessions || [];
    const prefix = `card-${state.turn}`;
    const ids = new Map(sessions.map((s) => [s.code, `${prefix}-${s.code}`]));
    renderText(bubble.querySelector(".text"), final.text || "", ids);
    if (sessions.length) {
      const cards = el("div", { class: "cards", role: "list", "aria-label": "Recommended sessions" });
      for (const s of sessions) {
        const card = sessionCard(s, { idPrefix: prefix, cited: cited.has(s.code) });
        card.setAttribute("role", "listitem");
        cards.append(card);
      }
      bubble.append(cards);
    }
    if (final.profile && final.profile.length) bubble.append(profileUsed(final.profile));
  }

  async function* sseEvents(response) {
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true }).replace(/\r\n/g, "\n");
      let cut;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const data = block
          .split("\n")
          .filter((line) => line.startsWith("data:"))
          .map((line) => line.slice(5).replace(/^ /, ""))
          .join("\n");
        if (!data) continue;
        try {
          yield JSON.parse(data);
        } catch {
          yield { type: "text", data };
        }
      }
    }
  }

  async function sendPrompt(text) {
    state.busy = true;
    state.turn += 1;
    $("send").disabled = true;
    const user = addMessage("user");
    user.querySelector(".text").textContent = text;
    const bubble = addMessage("assistant");
    const body = bubble.querySelector(".text");
    bubble.setAttribute("aria-busy", "true");
    const activity = el("p", { class: "activity", text: "Thinking…" });
    bubble.insertBefore(activity, body);
    let streamed = "";
    let finished = false;
    try {
      const response = await request("/invocations", {
        method: "POST",
        body: { prompt: text },
        headers: { [SESSION_HEADER]: state.sessionId, Accept: "text/event-stream" },
      });
      if (!response.ok) throw await errorOf(response);
      const type = response.headers.get("content-type") || "";
      if (!type.startsWith("text/event-stream")) {
        renderFinal(bubble, await response.json());
        finished = true;
      } else {
        for await (const event of sseEvents(response)) {
          if (event.type === "text") {
            streamed += event.data;
            body.textContent = streamed;
            bubble.scrollIntoView({ block: "end" });
          } else if (event.type === "tool_call") {
            activity.textContent = event.name === "search_sessions" ? "Searching the catalog…" : "Looking that up…";
          } else if (event.type === "final") {
            renderFinal(bubble, event);
            finished = true;
          } else if (event.type === "error" || event.error) {
            throw new ApiError(500, event.error || "error", event.message || "the assistant failed");
          }
        }
      }
      if (!finished && !streamed) throw new ApiError(502, "empty", "The assistant sent no answer.");
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        handleError(err);
        return;
      }
      bubble.classList.add("message-error");
      const reason = err instanceof Offline ? err.message : `Something went wrong: ${err.message}`;
      bubble.append(el("p", { class: "error-text", text: reason }));
    } finally {
      activity.remove();
      bubble.setAttribute("aria-busy", "false");
      state.busy = false;
      $("send").disabled = false;
    }
    await loadSessions();
    if ($("memory-panel").open) await loadMemory();
  }

  // -- memory -----------------------------------------------------------------------------------

  function memoryItem(r) {
    const sources = el("ul", { class: "memory-sources" });
    for (const src of r.sources || []) {
      for (const m of src.messages) {
        if (m.role !== "USER") continue;
        sources.append(
          el(
            "li",
            {},
            el("q", { class: "memory-quote", text: m.text }),
            el("span", { class: "memory-when", text: ` — you, ${formatTime(src.timestamp)}` })
          )
        );
      }
    }
    const del = el("button", {
      type: "button",
      class: "btn btn-quiet btn-small",
      "aria-label": `Delete memory: ${r.text}`,
      text: "Delete",
    });
    del.addEventListener("click", () => deleteRecord(r.id, del));
    return el(
      "li",
      { class: "memory-item", "data-record": r.id },
      el("p", { class: "memory-text", text: r.text }),
      el("p", { class: "memory-meta" }, el("span", { class: "badge", text: r.strategy.type.replace("_", " ") }), ` ${formatTime(r.updated_at)}`),
      r.rationale ? el("p", { class: "memory-why" }, el("strong", { text: "Why: " }), r.rationale) : null,
      sources.childElementCount ? el("div", { class: "memory-from" }, el("strong", { text: "From:" }), sources) : null,
      del
    );
  }

  async function loadMemory() {
    $("memory-status").textContent = "Loading…";
    let data;
    try {
      data = await api("/api/memory/records");
    } catch (err) {
      $("memory-status").textContent = "";
      handleError(err, "Could not load your memory");
      return;
    }
    $("memory-list").replaceChildren(...data.records.map(memoryItem));
    const n = data.records.length;
    $("memory-status").textContent = n
      ? `${n} ${n === 1 ? "thing" : "things"} remembered about you.`
      : "Podium does not remember anything about you yet.";
  }

  async function deleteRecord(id, button) {
    button.disabled = true;
    try {
      await api(`/api/memory/records/${encodeURIComponent(id)}`, { method: "DELETE" });
    } catch (err) {
      button.disabled = false;
      handleError(err, "Could not delete that memory");
      return;
    }
    const item = button.closest("li");
    const next = item.nextElementSibling || item.previousElementSibling;
    item.remove();
    $("memory-status").textContent = "Deleted. Podium no longer remembers that.";
    (next ? next.querySelector("button") : $("memory-refresh")).focus();
  }

  async function forgetMe() {
    if (!confirm("Forget everything Podium knows about you, including all your sessions? This cannot be undone.")) return;
    try {
      await api("/api/memory/forget", { method: "POST" });
    } catch (err) {
      handleError(err, "Could not forget you");
      return;
    }
    newSession();
    await loadSessions();
    await loadMemory();
    $("memory-status").textContent = "Done: Podium forgot everything about you.";
  }

  // -- recall -----------------------------------------------------------------------------------

  async function searchPast(event) {
    event.preventDefault();
    const q = $("recall-q").value.trim();
    if (!q) {
      $("recall-status").textContent = "Type what you are looking for.";
      return;
    }
    $("recall-status").textContent = "Searching…";
    let data;
    try {
      data = await api(`/api/memory/recall?${new URLSearchParams({ q, limit: "5" })}`);
    } catch (err) {
      $("recall-status").textContent = "";
      handleError(err, "Search failed");
      return;
    }
    $("recall-list").replaceChildren(
      ...data.turns.map((t) =>
        el(
          "li",
          { class: "memory-item recall-item" },
          el("p", { class: "memory-quote", text: `“${t.text}”` }),
          el("p", { class: "memory-when", text: new Date(t.eventTimestamp * 1000).toLocaleString() }),
        ),
      ),
    );
    const n = data.turns.length;
    $("recall-status").textContent = n ? `${n} past ${n === 1 ? "message" : "messages"} found.` : "Nothing you said matches.";
  }

  // -- catalog ----------------------------------------------------------------------------------

  async function searchCatalog(event) {
    event.preventDefault();
    const form = new FormData($("catalog-form"));
    const params = new URLSearchParams();
    for (const [k, v] of form.entries()) if (String(v).trim()) params.set(k, String(v).trim());
    if (![...params.keys()].length) {
      $("catalog-status").textContent = "Type something to search for, or pick a filter.";
      return;
    }
    params.set("limit", "10");
    $("catalog-status").textContent = "Searching…";
    let data;
    try {
      data = await api(`/api/catalog/search?${params}`);
    } catch (err) {
      $("catalog-status").textContent = "";
      handleError(err, "Search failed");
      return;
    }
    $("catalog-results").replaceChildren(...data.sessions.map((s) => sessionCard(s)));
    const n = data.sessions.length;
    $("catalog-status").textContent = n ? `${n} ${n === 1 ? "session" : "sessions"} found.` : "No sessions match.";
  }

  // -- wiring -----------------------------------------------------------------------------------

  function wire() {
    $("sign-in").addEventListener("click", () => signIn().catch((err) => handleError(err, "Sign-in failed")));
    $("sign-out").addEventListener("click", () => signOut("You are signed out."));
    $("status-close").addEventListener("click", hideStatus);
    $("new-session").addEventListener("click", newSession);
    $("chat-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const text = $("prompt").value.trim();
      if (!text || state.busy) return;
      $("prompt").value = "";
      sendPrompt(text);
    });
    $("prompt").addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        $("chat-form").requestSubmit();
      }
    });
    $("memory-panel").addEventListener("toggle", () => {
      if ($("memory-panel").open && state.actor) loadMemory();
    });
    $("memory-refresh").addEventListener("click", loadMemory);
    $("forget-me").addEventListener("click", forgetMe);
    $("catalog-form").addEventListener("submit", searchCatalog);
    $("recall-form").addEventListener("submit", searchPast);
    window.addEventListener("unhandledrejection", (event) => handleError(event.reason));
  }

  wire();
  boot();
})();
