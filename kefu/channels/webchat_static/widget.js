/*
 * 小蜜蜂 web chat widget (docs/channels/webchat.md). One tag on any page of the shop:
 *
 *   <script>window.KefuChat = {serverUrl: "https://kefu.example.com", title: "小蜜蜂客服",
 *                              color: "#ff5000", identityToken: "<signed by the shop's server>"};</script>
 *   <script src="https://kefu.example.com/webhooks/webchat/widget.js" async></script>
 *
 * Everything a shopper or the bot wrote is put on the page as text (textContent, links built as
 * elements with an http(s) href only), never as HTML. The session (id and token) lives in localStorage,
 * so a reload, a second tab or a browser opened again continues the same conversation.
 */
(function () {
  "use strict";
  if (window.__kefuChatLoaded) return;
  window.__kefuChatLoaded = true;

  var MAX_CHARS = 500;
  var MAX_PHOTO_BYTES = 5 * 1024 * 1024;
  var PHOTO_TYPES = ["image/jpeg", "image/png", "image/webp"];
  var STORAGE_KEY = "kefu_webchat_session";
  var OUTBOX_KEY = "kefu_webchat_outbox";
  var AGENT_TYPING_MS = 6000;
  var RATED_KEY = "kefu_webchat_rating_asked";
  var ACKED_KEPT_MS = 10 * 60 * 1000;  // an acknowledged message the history never shows is forgotten after this
  var EMOJI = ["😀", "😂", "😊", "😍", "🤔", "😅", "😭", "😡", "👍", "👌", "🙏", "❤️", "🎉", "📦", "🚚", "💰"];
  var LINK = /(https?:\/\/[^\s<>"'，。！？、）】]+)/g;

  var script = document.currentScript || document.querySelector("script[src*='webchat/widget.js']");
  var config = window.KefuChat || {};
  var serverUrl = (config.serverUrl || (script ? new URL(script.src, location.href).origin : location.origin)).replace(/\/$/, "");
  var base = serverUrl + "/webhooks/webchat/";
  var title = config.title || "小蜜蜂客服";
  var color = /^#[0-9a-fA-F]{3,8}$/.test(config.color || "") ? config.color : "#ff5000";

  var state = {
    session: load(STORAGE_KEY) || {},
    outbox: load(OUTBOX_KEY) || [],
    socket: null,
    open: false,
    unread: 0,
    sound: !!config.sound,  // off unless the page asks for it
    shown: {},  // client message ids on screen
    ratedCases: {},
    historyLoaded: false
  };

  function load(key) {
    try { return JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { return null; }
  }
  function save(key, value) {
    try { localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* private mode: this tab only */ }
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      if (name === "text") node.textContent = attrs[name];
      else if (name === "class") node.className = attrs[name];
      else node.setAttribute(name, attrs[name]);
    });
    (children || []).forEach(function (child) { if (child) node.appendChild(child); });
    return node;
  }

  // Text with its links: text nodes and <a> elements, never innerHTML.
  function richText(text) {
    var fragment = document.createDocumentFragment();
    String(text || "").split(LINK).forEach(function (part, index) {
      if (index % 2 === 1 && /^https?:\/\//.test(part)) {
        fragment.appendChild(el("a", {href: part, target: "_blank", rel: "noopener noreferrer nofollow", text: part}));
      } else if (part) {
        fragment.appendChild(document.createTextNode(part));
      }
    });
    return fragment;
  }

  function safeUrl(url) {
    try {
      var parsed = new URL(url, serverUrl);
      return /^https?:$/.test(parsed.protocol) ? parsed.href : null;
    } catch (e) { return null; }
  }

  // ---- the page's elements ------------------------------------------------------------------
  function loadCss() {
    var link = el("link", {rel: "stylesheet", href: base + "widget.css"});
    document.head.appendChild(link);
  }

  var ui = {};
  function build() {
    var root = el("div", {id: "kefu-chat", class: "kefu-chat"});
    root.style.setProperty("--kefu-color", color);
    ui.badge = el("span", {class: "kefu-badge", "aria-hidden": "true", hidden: ""});
    ui.launcher = el("button", {type: "button", class: "kefu-launcher", "aria-label": "打开客服聊天",
                                "aria-expanded": "false", "aria-controls": "kefu-panel"},
                     [el("span", {class: "kefu-launcher-icon", "aria-hidden": "true", text: "💬"}), ui.badge]);
    ui.title = el("h2", {class: "kefu-title", id: "kefu-title", text: title});
    ui.sound = el("button", {type: "button", class: "kefu-icon-button kefu-sound", "aria-pressed": String(state.sound),
                             "aria-label": "提示音", title: "提示音", text: state.sound ? "🔔" : "🔕"});
    ui.rate = el("button", {type: "button", class: "kefu-icon-button kefu-rate-open", "aria-label": "评价本次服务",
                            title: "评价本次服务", text: "⭐"});
    ui.close = el("button", {type: "button", class: "kefu-icon-button kefu-close", "aria-label": "关闭聊天窗口",
                             title: "关闭", text: "✕"});
    ui.status = el("div", {class: "kefu-status", role: "status", "aria-live": "polite", hidden: ""});
    ui.handoff = el("div", {class: "kefu-handoff", role: "status", "aria-live": "polite", hidden: ""});
    ui.log = el("div", {class: "kefu-log", role: "log", "aria-live": "polite", "aria-label": "聊天记录", tabindex: "0"});
    ui.typing = el("div", {class: "kefu-typing", hidden: "", "aria-live": "polite"},
                   [el("span", {text: "对方正在输入"}), el("span", {class: "kefu-dots", "aria-hidden": "true", text: "…"})]);
    ui.input = el("textarea", {class: "kefu-input", rows: "1", maxlength: String(MAX_CHARS),
                               placeholder: "请输入您的问题…", "aria-label": "输入消息"});
    ui.counter = el("span", {class: "kefu-counter", "aria-live": "off", text: "0/" + MAX_CHARS});
    ui.send = el("button", {type: "button", class: "kefu-send", text: "发送", disabled: ""});
    ui.emojiButton = el("button", {type: "button", class: "kefu-icon-button kefu-emoji-open", "aria-label": "表情",
                                   "aria-expanded": "false", title: "表情", text: "😊"});
    ui.photoButton = el("button", {type: "button", class: "kefu-icon-button kefu-photo-open", "aria-label": "发送图片",
                                   title: "发送图片", text: "🖼️"});
    ui.file = el("input", {type: "file", class: "kefu-file", accept: PHOTO_TYPES.join(","), hidden: "",
                           "aria-hidden": "true", tabindex: "-1"});
    ui.emoji = el("div", {class: "kefu-emoji", role: "listbox", "aria-label": "表情", hidden: ""},
                  EMOJI.map(function (emoji) {
                    return el("button", {type: "button", class: "kefu-emoji-item", role: "option", text: emoji});
                  }));
    ui.rating = buildRating();
    ui.panel = el("div", {id: "kefu-panel", class: "kefu-panel", role: "dialog", "aria-labelledby": "kefu-title",
                          "aria-modal": "false", hidden: ""}, [
      el("div", {class: "kefu-header"}, [ui.title, el("div", {class: "kefu-header-actions"}, [ui.rate, ui.sound, ui.close])]),
      ui.status, ui.handoff, ui.log, ui.typing, ui.rating, ui.emoji,
      el("div", {class: "kefu-composer"}, [
        el("div", {class: "kefu-tools"}, [ui.emojiButton, ui.photoButton, ui.file, ui.counter]),
        el("div", {class: "kefu-input-row"}, [ui.input, ui.send])
      ])
    ]);
    root.appendChild(ui.panel);
    root.appendChild(ui.launcher);
    document.body.appendChild(root);
    ui.root = root;
    wire();
  }

  function buildRating() {
    var stars = el("div", {class: "kefu-stars", role: "radiogroup", "aria-label": "满意度"});
    for (var score = 1; score <= 5; score++) {
      stars.appendChild(el("button", {type: "button", class: "kefu-star", role: "radio", "aria-checked": "false",
                                      "data-score": String(score), "aria-label": score + " 星", text: "★"}));
    }
    var comment = el("textarea", {class: "kefu-rating-comment", rows: "2", maxlength: "500",
                                  placeholder: "说说您的感受（选填）", "aria-label": "评价内容"});
    var submit = el("button", {type: "button", class: "kefu-rating-submit", text: "提交评价", disabled: ""});
    var skip = el("button", {type: "button", class: "kefu-rating-skip", text: "暂不评价"});
    var prompt = el("p", {class: "kefu-rating-prompt", text: "请为本次服务打分"});
    var box = el("div", {class: "kefu-rating", hidden: "", role: "form", "aria-label": "服务评价"},
                 [prompt, stars, comment, el("div", {class: "kefu-rating-actions"}, [skip, submit])]);
    box._stars = stars; box._comment = comment; box._submit = submit; box._skip = skip; box._prompt = prompt;
    return box;
  }

  // ---- behaviour -----------------------------------------------------------------------------------
  function wire() {
    ui.launcher.addEventListener("click", function () { setOpen(!state.open); });
    ui.close.addEventListener("click", function () { setOpen(false); });
    ui.panel.addEventListener("keydown", function (event) { if (event.key === "Escape") setOpen(false); });
    ui.sound.addEventListener("click", function () {
      state.sound = !state.sound;
      ui.sound.textContent = state.sound ? "🔔" : "🔕";
      ui.sound.setAttribute("aria-pressed", String(state.sound));
    });
    ui.input.addEventListener("input", updateComposer);
    // Chinese input methods: Enter picks a candidate while composing; it must never send half a word.
    var composing = false;
    ui.input.addEventListener("compositionstart", function () { composing = true; });
    ui.input.addEventListener("compositionend", function () { composing = false; updateComposer(); });
    ui.input.addEventListener("keydown", function (event) {
      if (event.key !== "Enter" || event.shiftKey) return;
      if (composing || event.isComposing || event.keyCode === 229) return;
      event.preventDefault();
      sendTyped();
    });
    ui.send.addEventListener("click", sendTyped);
    ui.emojiButton.addEventListener("click", function () {
      var hidden = ui.emoji.hasAttribute("hidden");
      toggle(ui.emoji, hidden);
      ui.emojiButton.setAttribute("aria-expanded", String(hidden));
    });
    ui.emoji.addEventListener("click", function (event) {
      if (!event.target.classList.contains("kefu-emoji-item")) return;
      insertAtCursor(event.target.textContent);
      toggle(ui.emoji, false);
      ui.emojiButton.setAttribute("aria-expanded", "false");
      ui.input.focus();
    });
    ui.photoButton.addEventListener("click", function () { ui.file.click(); });
    ui.file.addEventListener("change", function () {
      if (ui.file.files && ui.file.files[0]) sendPhoto(ui.file.files[0]);
      ui.file.value = "";
    });
    ui.rate.addEventListener("click", function () { showRating(null, "请为本次对话打分"); });
    ui.rating._stars.addEventListener("click", function (event) {
      var score = event.target.getAttribute && event.target.getAttribute("data-score");
      if (!score) return;
      ui.rating._score = Number(score);
      Array.prototype.forEach.call(ui.rating._stars.children, function (star) {
        var on = Number(star.getAttribute("data-score")) <= ui.rating._score;
        star.classList.toggle("on", on);
        star.setAttribute("aria-checked", String(Number(star.getAttribute("data-score")) === ui.rating._score));
      });
      ui.rating._submit.removeAttribute("disabled");
    });
    ui.rating._skip.addEventListener("click", function () { toggle(ui.rating, false); });
    ui.rating._submit.addEventListener("click", submitRating);
    window.addEventListener("storage", function (event) {
      // Another tab started or changed the session: follow it.
      if (event.key === STORAGE_KEY) {
        var session = load(STORAGE_KEY) || {};
        if (session.session_id && session.session_id !== state.session.session_id) {
          state.session = session;
          if (state.socket) state.socket.disconnect().connect();
        }
      }
    });
  }

  function toggle(node, show) { if (show) node.removeAttribute("hidden"); else node.setAttribute("hidden", ""); }

  function setOpen(open) {
    state.open = open;
    toggle(ui.panel, open);
    ui.launcher.setAttribute("aria-expanded", String(open));
    ui.launcher.setAttribute("aria-label", open ? "收起客服聊天" : "打开客服聊天");
    ui.root.classList.toggle("kefu-open", open);
    if (open) {
      state.unread = 0;
      showBadge();
      // Opened again: catch up with what another tab said meanwhile.
      if (state.socket && state.socket.connected) loadHistory(); else connect();
      ui.input.focus();
      scrollDown();
    } else {
      ui.launcher.focus();
    }
  }

  function showBadge() {
    ui.badge.textContent = state.unread > 99 ? "99+" : String(state.unread);
    toggle(ui.badge, state.unread > 0);
    ui.launcher.setAttribute("aria-label", state.unread > 0 ? "打开客服聊天（" + state.unread + " 条未读）" : "打开客服聊天");
  }

  function updateComposer() {
    var length = ui.input.value.length;
    ui.counter.textContent = length + "/" + MAX_CHARS;
    ui.counter.classList.toggle("kefu-counter-full", length >= MAX_CHARS);
    if (ui.input.value.trim()) ui.send.removeAttribute("disabled"); else ui.send.setAttribute("disabled", "");
  }

  function insertAtCursor(text) {
    var input = ui.input, start = input.selectionStart || input.value.length, end = input.selectionEnd || start;
    var value = input.value.slice(0, start) + text + input.value.slice(end);
    if (value.length > MAX_CHARS) return;
    input.value = value;
    input.selectionStart = input.selectionEnd = start + text.length;
    updateComposer();
  }

  // ---- the connection ------------------------------------------------------------------------------
  function connect() {
    if (state.socket) return;
    if (!window.io) { loadSocketIo(connect); return; }
    var socket = window.io(serverUrl, {
      path: "/webchat/socket.io",
      reconnection: true,
      reconnectionDelay: 1000,      // then doubled, with jitter, up to…
      reconnectionDelayMax: 15000,
      randomizationFactor: 0.5
    });
    state.socket = socket;
    socket.on("connect", function () {
      setStatus(null);
      var request = {session_id: state.session.session_id || null};
      if (state.session.session_token) request.session_token = state.session.session_token;
      socket.emit("session_request", request);
    });
    socket.on("session_confirm", function (sessionId) {
      if (sessionId !== state.session.session_id) {
        // A new session (first visit, or the old token no longer valid): its token follows.
        state.session = {session_id: sessionId};
        state.outbox = [];
        save(OUTBOX_KEY, state.outbox);
        clearLog();
      } else {
        loadHistory().then(flushOutbox);
      }
    });
    socket.on("session_token", function (data) {
      state.session = {session_id: data.session_id, session_token: data.session_token};
      save(STORAGE_KEY, state.session);
      ui.root.setAttribute("data-session", "ready");
      if (!state.historyLoaded && config.greeting) addMessage({from: "bot", text: config.greeting});
      state.historyLoaded = true;
      flushOutbox();
    });
    socket.on("bot_uttered", function (payload) { receive(payload); });
    socket.on("message_ack", acknowledge);
    socket.on("typing", function (data) {
      var on = !!(data && data.on);
      var agent = data && data.from === "agent";
      ui.typing.firstChild.textContent = agent ? "客服正在输入" : "对方正在输入";
      toggle(ui.typing, on);
      if (!agent) ui.root.setAttribute("data-typing", on ? "on" : "off");
      // An agent says when they start, not when they stop: the indicator goes after a quiet while.
      clearTimeout(state.typingTimer);
      if (on && agent) state.typingTimer = setTimeout(function () { toggle(ui.typing, false); }, AGENT_TYPING_MS);
      if (on) scrollDown();
    });
    socket.on("handoff_state", showHandoff);
    // The shopper said goodbye to the bot: how did it go? (Asked once a day at most.)
    socket.on("rating_request", function () {
      var today = new Date().toDateString();
      if (load(RATED_KEY) === today) return;
      save(RATED_KEY, today);
      showRating(null, "请为本次对话打分");
    });
    socket.on("disconnect", function (reason) {
      if (reason !== "io client disconnect") setStatus("网络不稳定，正在重新连接…");
    });
    socket.on("connect_error", function () { setStatus("网络不稳定，正在重新连接…"); });
  }

  function loadSocketIo(then) {
    var tag = el("script", {src: base + "socket.io.min.js"});
    tag.onload = then;
    tag.onerror = function () { setStatus("网络不稳定，正在重新连接…"); setTimeout(function () { loadSocketIo(then); }, 5000); };
    document.head.appendChild(tag);
  }

  function setStatus(text) {
    ui.status.textContent = text || "";
    toggle(ui.status, !!text);
    ui.root.setAttribute("data-connection", text ? "unstable" : "online");
  }

  function authHeaders() {
    return {"X-Session-Token": state.session.session_token || ""};
  }

  function loadHistory() {
    if (!state.session.session_token) return Promise.resolve();
    var url = base + "history?session_id=" + encodeURIComponent(state.session.session_id);
    return fetch(url, {headers: authHeaders()}).then(function (answer) {
      if (answer.status === 403 || answer.status === 401) {  // not this browser's session any more
        state.session = {};
        save(STORAGE_KEY, {});
        return null;
      }
      return answer.ok ? answer.json() : null;
    }).then(function (history) {
      if (!history) return;
      clearLog();
      history.messages.forEach(function (message) { addMessage(message, true); });
      // What the server took but has not stored yet (the bot still at it) stays on screen; what it never
      // took is shown as pending and goes again.
      var now = Date.now();
      state.outbox = state.outbox.filter(function (item) {
        return !state.shown[item.client_message_id] && !(item.acked && now - item.acked > ACKED_KEPT_MS);
      });
      save(OUTBOX_KEY, state.outbox);
      state.outbox.forEach(function (item) {
        addMessage({from: "shopper", text: item.display_text, client_message_id: item.client_message_id,
                    pending: !item.acked});
      });
      if (history.handoff) showHandoff(history.handoff);
      state.historyLoaded = true;
      ui.root.setAttribute("data-session", "ready");
      scrollDown();
    }).catch(function () { setStatus("网络不稳定，正在重新连接…"); });
  }

  function identityMetadata() {
    var token = config.identityToken;
    if (!token || typeof token !== "string") return {};
    var parts = token.split(".");
    if (parts.length < 3) return {};
    // "{customer_id}.{expires}.{mac}": the customer id may itself contain dots.
    return {customer_id: parts.slice(0, parts.length - 2).join("."), identity_token: token};
  }

  function newMessageId() {
    var random = (window.crypto && crypto.getRandomValues) ? crypto.getRandomValues(new Uint32Array(2)) : [Math.random() * 1e9, Date.now()];
    return "m" + Date.now().toString(36) + random[0].toString(36) + random[1].toString(36);
  }

  function sendTyped() {
    var text = ui.input.value;
    if (!text.trim()) return;
    if (text.length > MAX_CHARS) text = text.slice(0, MAX_CHARS);
    ui.input.value = "";
    updateComposer();
    sendMessage(text, text);
  }

  function sendMessage(message, shown) {
    var item = {client_message_id: newMessageId(), message: message, display_text: shown};
    state.outbox.push(item);
    save(OUTBOX_KEY, state.outbox);
    addMessage({from: "shopper", text: shown, client_message_id: item.client_message_id, pending: true});
    emit(item);
  }

  function emit(item) {
    if (!state.socket || !state.socket.connected || !state.session.session_token) return;  // the outbox keeps it
    var metadata = identityMetadata();
    if (item.display_text !== item.message) metadata.display_text = item.display_text;
    state.socket.emit("user_uttered", {message: item.message, session_id: state.session.session_id,
                                       client_message_id: item.client_message_id, metadata: metadata});
  }

  // Messages not yet acknowledged go again after a reconnect, with the same ids: the server answers once.
  function flushOutbox() {
    state.outbox.forEach(function (item) {
      if (!state.shown[item.client_message_id]) {
        addMessage({from: "shopper", text: item.display_text, client_message_id: item.client_message_id,
                    pending: !item.acked});
      }
      if (!item.acked) emit(item);
    });
  }

  function acknowledge(ack) {
    if (!ack) return;
    // Taken: kept (acknowledged) until the history has it, so a reload while the bot works loses nothing.
    state.outbox = state.outbox.filter(function (item) {
      if (item.client_message_id !== ack.client_message_id) return true;
      item.acked = Date.now();
      return !ack.error;
    });
    save(OUTBOX_KEY, state.outbox);
    var bubble = ack.client_message_id && ui.log.querySelector("[data-client-id='" + ack.client_message_id + "']");
    if (bubble) bubble.classList.remove("kefu-pending");
    if (ack.error && ack.text) addMessage({from: "system", text: ack.text});
  }

  function receive(payload) {
    addMessage(asMessage(payload));
    if (!state.open) { state.unread += 1; showBadge(); }
    if (state.sound) beep();
  }

  function asMessage(payload) {
    var handoff = payload.metadata && payload.metadata.handoff;
    var message = {from: handoff && handoff.from === "agent" ? "agent" : "bot", agent: handoff && handoff.agent};
    ["text", "buttons", "quick_replies", "image", "custom", "attachment", "cards"].forEach(function (key) {
      if (payload[key]) message[key] = payload[key];
    });
    if (!message.custom && typeof payload.type === "string" && /_card$/.test(payload.type)) message.custom = payload;
    return message;
  }

  function beep() {
    try {
      var context = new (window.AudioContext || window.webkitAudioContext)();
      var oscillator = context.createOscillator();
      oscillator.frequency.value = 880;
      oscillator.connect(context.destination);
      oscillator.start();
      oscillator.stop(context.currentTime + 0.12);
    } catch (e) { /* no sound: nothing lost */ }
  }

  // ---- the conversation on screen ------------------------------------------------------------------
  function clearLog() { ui.log.textContent = ""; state.shown = {}; }

  function scrollDown() { ui.log.scrollTop = ui.log.scrollHeight; }

  function addMessage(message, fromHistory) {
    if (message.client_message_id) {
      if (state.shown[message.client_message_id]) return;
      state.shown[message.client_message_id] = true;
    }
    var row = el("div", {class: "kefu-msg kefu-from-" + message.from});
    if (message.client_message_id) row.setAttribute("data-client-id", message.client_message_id);
    if (message.pending) row.classList.add("kefu-pending");
    if (message.from === "agent") row.appendChild(el("div", {class: "kefu-author", text: "客服 " + (message.agent || "")}));
    if (message.text) row.appendChild(el("div", {class: "kefu-bubble"}, [richText(message.text)]));
    if (message.photo) {
      var source = base + message.photo + "?session_token=" + encodeURIComponent(state.session.session_token || "");
      row.appendChild(el("div", {class: "kefu-bubble kefu-photo"}, [el("img", {src: source, alt: "我发送的图片"})]));
    }
    if (message.image && safeUrl(message.image)) {
      row.appendChild(el("div", {class: "kefu-bubble kefu-photo"}, [el("img", {src: safeUrl(message.image), alt: "图片"})]));
    }
    var attached = message.attachment && message.attachment.type === "image" && message.attachment.payload;
    if (attached && safeUrl(attached.src)) {
      row.appendChild(el("div", {class: "kefu-bubble kefu-photo"}, [el("img", {src: safeUrl(attached.src), alt: "图片"})]));
    }
    if (message.custom) row.appendChild(card(message.custom, fromHistory));
    (message.cards || []).forEach(function (each) { row.appendChild(card(each, fromHistory)); });
    var buttons = message.buttons || message.quick_replies;
    if (buttons && buttons.length) row.appendChild(buttonRow(buttons, fromHistory));
    ui.log.appendChild(row);
    if (!message.pending && message.from !== "shopper") toggle(ui.typing, false);
    scrollDown();
  }

  function buttonRow(buttons, fromHistory) {
    var row = el("div", {class: "kefu-buttons", role: "group", "aria-label": "快捷回复"});
    buttons.forEach(function (button) {
      var label = button.title || button.payload || "";
      var node = el("button", {type: "button", class: "kefu-quick", text: label});
      node.addEventListener("click", function () {
        if (button.url && safeUrl(button.url)) { window.open(safeUrl(button.url), "_blank", "noopener"); return; }
        sendMessage(button.payload || label, label);
      });
      row.appendChild(node);
    });
    return row;
  }

  // Product cards ({"type": "product_card", "product": {...}}) and order cards ({"type": "order_card",
  // "order": {...}}), as the actions send them in a custom payload (docs/channels/webchat.md: cards).
  function card(custom, fromHistory) {
    if (custom.type === "product_card" && custom.product) return productCard(custom.product);
    if (custom.type === "order_card" && custom.order) return orderCard(custom.order);
    return el("div", {class: "kefu-bubble", text: custom.text || ""});
  }

  function productCard(product) {
    var image = product.image && safeUrl(product.image);
    var actions = el("div", {class: "kefu-card-actions"});
    var detail = product.url && safeUrl(product.url);
    if (detail) {
      actions.appendChild(el("a", {class: "kefu-card-button", href: detail, target: "_blank",
                                   rel: "noopener noreferrer", text: "详情"}));
    } else if (product.details_payload) {
      var details = el("button", {type: "button", class: "kefu-card-button kefu-card-details", text: "详情"});
      details.addEventListener("click", function () {
        sendMessage(product.details_payload, "详情：" + (product.name || ""));
      });
      actions.appendChild(details);
    }
    var buy = el("button", {type: "button", class: "kefu-card-button kefu-card-primary kefu-card-buy", text: "下单"});
    buy.addEventListener("click", function () {
      if (product.buy_url && safeUrl(product.buy_url)) { window.open(safeUrl(product.buy_url), "_blank", "noopener"); return; }
      sendMessage(product.buy_payload || ("我想买" + (product.name || "")), "下单：" + (product.name || ""));
    });
    actions.appendChild(buy);
    return el("div", {class: "kefu-card kefu-product-card", role: "group", "aria-label": product.name || "商品"}, [
      image ? el("img", {class: "kefu-card-image", src: image, alt: product.name || "商品图片"}) : null,
      el("div", {class: "kefu-card-body"}, [
        el("div", {class: "kefu-card-title", text: product.name || ""}),
        product.price != null ? el("div", {class: "kefu-card-price", text: "¥" + product.price}) : null,
        actions
      ])
    ]);
  }

  function orderCard(order) {
    var items = (order.items || []).map(function (item) {
      return el("li", {text: (item.name || "") + (item.quantity ? " × " + item.quantity : "")});
    });
    return el("div", {class: "kefu-card kefu-order-card", role: "group", "aria-label": "订单 " + (order.order_id || "")}, [
      el("div", {class: "kefu-card-title", text: "订单 " + (order.order_id || "")}),
      el("div", {class: "kefu-order-status", text: order.status || ""}),
      items.length ? el("ul", {class: "kefu-order-items"}, items) : null,
      order.tracking_number ? el("div", {class: "kefu-order-parcel",
                                         text: "运单号 " + (order.carrier ? order.carrier + " " : "") + order.tracking_number}) : null
    ]);
  }

  function showHandoff(handoff) {
    if (!handoff) return;
    ui.root.setAttribute("data-handoff", handoff.state);
    if (handoff.state === "queued" || handoff.state === "serving") {
      ui.handoff.textContent = handoff.text || "";
      toggle(ui.handoff, true);
    } else {
      toggle(ui.handoff, false);
      var closed = handoff.closed_case_id;
      if (closed && !state.ratedCases[closed]) {
        state.ratedCases[closed] = true;
        if (handoff.text) addMessage({from: "system", text: handoff.text});
        showRating(closed, "请为刚才客服的服务打分");
      }
    }
  }

  function showRating(caseId, prompt) {
    ui.rating._case = caseId;
    ui.rating._score = 0;
    ui.rating._prompt.textContent = prompt;
    ui.rating._comment.value = "";
    ui.rating._submit.setAttribute("disabled", "");
    Array.prototype.forEach.call(ui.rating._stars.children, function (star) {
      star.classList.remove("on");
      star.setAttribute("aria-checked", "false");
    });
    toggle(ui.rating, true);
  }

  function submitRating() {
    if (!ui.rating._score || !state.session.session_token) return;
    var body = {session_id: state.session.session_id, score: ui.rating._score, comment: ui.rating._comment.value};
    if (ui.rating._case) body.case_id = ui.rating._case;
    ui.rating._submit.setAttribute("disabled", "");
    fetch(base + "ratings", {method: "POST", headers: Object.assign({"Content-Type": "application/json"}, authHeaders()),
                             body: JSON.stringify(body)})
      .then(function (answer) { return answer.json().then(function (json) { return {ok: answer.ok, json: json}; }); })
      .then(function (result) {
        toggle(ui.rating, !result.ok);
        addMessage({from: "system", text: result.ok ? result.json.text : result.json.message});
        if (!result.ok) ui.rating._submit.removeAttribute("disabled");
      })
      .catch(function () { ui.rating._submit.removeAttribute("disabled"); setStatus("网络不稳定，正在重新连接…"); });
  }

  function sendPhoto(file) {
    if (PHOTO_TYPES.indexOf(file.type) < 0) { addMessage({from: "system", text: "亲，目前只能发 JPG、PNG 或 WebP 格式的图片哦～"}); return; }
    if (file.size > MAX_PHOTO_BYTES) { addMessage({from: "system", text: "亲，这张图片太大啦，最大只能发 5MB 的图片哦，麻烦压缩一下再发～"}); return; }
    if (!state.session.session_token) return;
    fetch(base + "photos", {method: "POST", body: file,
                            headers: Object.assign({"X-Session-Id": state.session.session_id,
                                                    "Content-Type": "application/octet-stream"}, authHeaders())})
      .then(function (answer) { return answer.json().then(function (json) { return {ok: answer.ok, json: json}; }); })
      .then(function (result) {
        if (result.ok) addMessage({from: "shopper", photo: result.json.url});
        addMessage({from: "system", text: result.ok ? result.json.text : result.json.message});
      })
      .catch(function () { setStatus("网络不稳定，正在重新连接…"); });
  }

  // ---- start ---------------------------------------------------------------------------------------
  function start() {
    loadCss();
    build();
    updateComposer();
    // A shopper coming back to a conversation (or a page asking for it) sees it open and up to date.
    var unsent = state.outbox.filter(function (item) { return !item.acked; }).length;
    if (config.open || unsent) setOpen(true);
    else if (state.session.session_id) connect();  // a returning shopper: the badge counts what arrives
  }
  window.KefuChatWidget = {open: function () { setOpen(true); }, close: function () { setOpen(false); },
                           setIdentityToken: function (token) { config.identityToken = token; },
                           // The live socket.io connection (for the page's own diagnostics and the tests).
                           connection: function () { return state.socket; }};
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
