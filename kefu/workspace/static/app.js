// 小蜜蜂 人工客服工作台: one page, no build step. Everything shown comes from
// the JSON API next to this file (api/…); texts from shoppers are only ever
// put into the page with textContent, never as HTML.
"use strict";

const QUEUE_REFRESH_MS = 2500;
const MESSAGES_REFRESH_MS = 1500;
const CLOSE_CONFIRM_MS = 3000;

const CHANNELS = {
  web: "网页", app: "App", wechat: "微信", taobao: "淘宝", jd: "京东", pdd: "拼多多",
  douyin: "抖音", rest: "网页", socketio: "网页聊天",
};
const STATUSES = { queued: "排队中", claimed: "接待中", closed: "已结束", ticket: "留言工单" };
const SLOT_LABELS = {
  order_id: "订单号", current_product_id: "商品", after_sales_task: "售后任务", current_order_status: "订单状态",
};
const WHO = { shopper: "顾客", bot: "机器人", agent: "客服", system: "系统" };

const state = {
  me: null,
  tab: "queue",
  caseId: null,
  caseData: null,
  renderedIds: new Set(),
  lastMessageId: null,
  suggestionsFor: undefined,
  timers: [],
  closeArmed: null,
};

const $ = (id) => document.getElementById(id);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

async function api(path, { method = "GET", body } = {}) {
  let res;
  try {
    res = await fetch("api/" + path, {
      method,
      credentials: "same-origin",
      headers: body === undefined ? {} : { "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    throw new ApiError(0, "network", "连接不上服务器，请检查网络");
  }
  let data = null;
  try { data = await res.json(); } catch (error) { data = null; }
  if (res.status === 401 && path !== "login") {
    showLogin();
  }
  if (!res.ok) {
    throw new ApiError(res.status, data && data.error, (data && data.message) || `请求失败（${res.status}）`);
  }
  return data;
}

// --- formatting -----------------------------------------------------------------

function waited(seconds) {
  if (seconds < 60) return "不到 1 分钟";
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} 分钟`;
  return `${Math.floor(minutes / 60)} 小时 ${minutes % 60} 分钟`;
}

// Times come as shop time with its offset ("2026-12-02T12:00:00+08:00") and are shown as such,
// whatever the browser's time zone: the call-back times in the case's notes and the business
// hours are shop time too.
const SHOP_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/;

function clock(iso) {
  const parts = SHOP_TIME.exec(iso || "");
  return parts ? `${parts[4]}:${parts[5]}` : "";
}

function day(iso) {
  const parts = SHOP_TIME.exec(iso || "");
  return parts ? `${Number(parts[2])}月${Number(parts[3])}日 ${parts[4]}:${parts[5]}` : "";
}

const channelName = (channel) => CHANNELS[channel] || channel || "未知渠道";
const customerName = (item) => item.customer_name || "匿名顾客";

function levelBadge(item) {
  if (!item.member_level_label && !item.member_level) return null;
  return el("span", { class: `level ${item.member_level || ""}`, text: item.member_level_label || item.member_level });
}

// --- login ----------------------------------------------------------------------

function showLogin(message) {
  stopTimers();
  state.me = null;
  $("workspace-view").hidden = true;
  $("login-view").hidden = false;
  $("login-error").textContent = message || "";
  $("login-username").focus();
}

async function login(event) {
  event.preventDefault();
  $("login-error").textContent = "";
  $("login-submit").disabled = true;
  try {
    const data = await api("login", {
      method: "POST",
      body: { username: $("login-username").value, password: $("login-password").value },
    });
    $("login-password").value = "";
    startWorkspace(data.agent);
  } catch (error) {
    $("login-error").textContent = error.message;
  } finally {
    $("login-submit").disabled = false;
  }
}

async function logout() {
  try { await api("logout", { method: "POST" }); } catch (error) { /* logged out either way */ }
  sessionStorage.removeItem("kefu.case");
  closeCaseView();
  showLogin();
}

// --- the workspace ----------------------------------------------------------------

function stopTimers() {
  state.timers.forEach(clearInterval);
  state.timers = [];
}

function startWorkspace(agent) {
  state.me = agent;
  $("login-view").hidden = true;
  $("workspace-view").hidden = false;
  $("agent-name").textContent = agent.display_name;
  stopTimers();
  refreshQueue();
  heartbeat();
  state.timers.push(setInterval(refreshQueue, QUEUE_REFRESH_MS));
  state.timers.push(setInterval(refreshMessages, MESSAGES_REFRESH_MS));
  state.timers.push(setInterval(heartbeat, agent.heartbeat_seconds * 1000));
  const remembered = Number(sessionStorage.getItem("kefu.case"));
  if (remembered) openCase(remembered);
}

async function heartbeat() {
  try {
    const data = await api("heartbeat", { method: "POST", body: {} });
    const c = state.caseData;
    if (c && c.status === "claimed" && c.claimed_by === state.me.username && !data.held.includes(c.id)) {
      refreshMessages();
    }
  } catch (error) { /* the next beat tries again */ }
}

async function refreshQueue() {
  let data;
  try { data = await api("queue"); } catch (error) { return; }
  $("queue-count").textContent = data.queue.length;
  $("mine-count").textContent = data.mine.length;
  $("tickets-count").textContent = data.tickets;
  document.querySelector(".tab[data-tab='tickets']").classList.toggle("overdue", data.tickets_overdue > 0);
  $("online-count").textContent = `在线客服 ${data.agents_online} 人`;
  renderList($("queue-list"), data.queue, "queue");
  renderList($("mine-list"), data.mine, "mine");
  if (state.tab === "tickets") refreshTickets();
}

async function refreshTickets() {
  try {
    const data = await api("tickets");
    $("tickets-count").textContent = data.tickets.length;
    renderList($("tickets-list"), data.tickets, "tickets");
  } catch (error) { /* shown on the next refresh */ }
}

function renderList(list, items, kind) {
  const empty = { queue: "暂无排队的顾客", mine: "你还没有接入会话", tickets: "暂无留言工单" }[kind];
  list.replaceChildren(...(items.length ? items.map((item) => caseItem(item, kind)) : [el("li", { class: "empty-list", text: empty })]));
}

function callbackCount(item) {
  return item.callback_attempts ? `已回电 ${item.callback_attempts} 次未接通` : null;
}

function caseItem(item, kind) {
  const sub = kind === "tickets"
    ? [`回电 ${day(item.callback_at)}`, `联系方式 ${item.ticket_contact || "—"}`, callbackCount(item)].filter(Boolean).join(" · ")
    : `等待 ${waited(item.waiting_seconds)} · ${channelName(item.channel)}`;
  const overdue = kind === "tickets" && item.overdue
    ? el("span", { class: "overdue-flag", "data-testid": "overdue", text: "已超时" })
    : null;
  const claim = kind === "queue"
    ? el("button", {
      class: "primary claim", "data-testid": "claim", text: "接入",
      onclick: (event) => { event.stopPropagation(); claimCase(item.id); },
    })
    : null;
  return el("li", {
    class: `case-item${item.id === state.caseId ? " selected" : ""}${overdue ? " overdue" : ""}`,
    "data-case-id": item.id,
    onclick: () => openCase(item.id),
  },
  el("div", { class: "line" },
    el("span", {},
      el("span", { class: `priority p${Math.min(item.priority, 4)}`, text: `P${item.priority}` }), " ",
      el("span", { class: "who", text: customerName(item) }), levelBadge(item), overdue),
    claim),
  el("div", { class: "reason", text: item.reason_label }),
  el("div", { class: "sub", text: sub }));
}

function switchTab(tab) {
  state.tab = tab;
  document.querySelectorAll(".tab").forEach((button) => button.classList.toggle("active", button.dataset.tab === tab));
  document.querySelectorAll(".case-list").forEach((list) => { list.hidden = list.dataset.list !== tab; });
  if (tab === "tickets") refreshTickets();
}

// --- one case ---------------------------------------------------------------------

async function claimCase(caseId) {
  try {
    const data = await api(`cases/${caseId}/claim`, { method: "POST" });
    switchTab("mine");
    showCase(data);
  } catch (error) {
    alertBanner(error.message);
    openCase(caseId);
  }
  refreshQueue();
}

async function openCase(caseId) {
  try {
    showCase(await api(`cases/${caseId}`));
  } catch (error) {
    if (error.status === 404) sessionStorage.removeItem("kefu.case");
    alertBanner(error.message);
  }
}

function closeCaseView() {
  state.caseId = null;
  state.caseData = null;
  $("case-panel").hidden = true;
  $("case-empty").hidden = false;
}

function alertBanner(message) {
  const banner = $("case-banner");
  banner.textContent = message;
  banner.hidden = !message;
}

function showCase(data) {
  const c = data.case;
  const switched = state.caseId !== c.id;
  state.caseId = c.id;
  state.caseData = c;
  sessionStorage.setItem("kefu.case", String(c.id));
  $("case-empty").hidden = true;
  $("case-panel").hidden = false;
  if (switched) {
    state.renderedIds = new Set();
    state.lastMessageId = null;
    state.suggestionsFor = undefined;
    $("reply-text").value = "";
    $("reply-error").textContent = "";
    $("callback-note").value = "";
    $("callback-error").textContent = "";
    const transcript = $("transcript");
    transcript.replaceChildren(...c.transcript.map((line) => messageItem(line.who, line.text, line.at)));
    transcript.append(el("li", { class: "divider", text: "转人工" }));
    $("problem-reports").replaceChildren(el("li", { class: "muted", text: "查询中…" }));
    refreshReports();
  }
  appendMessages(data.messages || []);
  renderCaseHeader();
  renderProfile(c);
  document.querySelectorAll(".case-item").forEach((item) => item.classList.toggle("selected", Number(item.dataset.caseId) === c.id));
}

// A photo the shopper sent through the web chat arrives as "[图片] <signed link>" (docs/channels/webchat.md).
// Shown as a thumbnail only for this server's own photo links: a shopper typing a line like it with
// another address must not make the agent's browser fetch it.
const PHOTO_LINE = /^\[图片\] (\S+)$/;

function photoOf(who, text) {
  const match = who === "shopper" && PHOTO_LINE.exec(text || "");
  return match ? ownPhotoLink(match[1]) : null;
}

// A signed link of this server's own photo route, loaded from this server whatever host it names (a
// proxy may rewrite it); null for anything else. The case's lines and its problem reports use it alike.
function ownPhotoLink(link) {
  let url;
  try { url = new URL(link, location.origin); } catch (error) { return null; }
  const ours = /^\/webhooks\/webchat\/photos\/[0-9a-f]{32}$/.test(url.pathname) && /^\?sig=[0-9]+\.[0-9a-f]{64}$/.test(url.search);
  return ours ? `${location.origin}${url.pathname}${url.search}` : null;
}

function messageItem(who, text, at, author) {
  const label = who === "agent" ? `客服 ${author || ""}` : WHO[who] || who;
  const photo = photoOf(who, text);
  return el("li", { class: `msg ${who}`, "data-who": who },
    el("span", { class: "label", text: `${label} ${clock(at)}` }),
    el("span", { class: "bubble", text },
      photo && el("a", { class: "photo-link", href: photo, target: "_blank", rel: "noopener noreferrer" },
        el("img", { class: "photo", src: photo, alt: "顾客发送的图片" }))));
}

function appendMessages(messages) {
  const transcript = $("transcript");
  let shopperSpoke = false;
  for (const message of messages) {
    if (state.renderedIds.has(message.id)) continue;
    state.renderedIds.add(message.id);
    state.lastMessageId = Math.max(state.lastMessageId || 0, message.id);
    transcript.append(messageItem(message.direction, message.text, message.at, message.author_name));
    if (message.direction === "shopper") shopperSpoke = true;
  }
  if (messages.length) transcript.scrollTop = transcript.scrollHeight;
  if (shopperSpoke || state.suggestionsFor === undefined) refreshSuggestions();
}

function mine(c) {
  return c.status === "claimed" && c.claimed_by === state.me.username;
}

function renderCaseHeader() {
  const c = state.caseData;
  $("case-title").textContent = `${customerName(c)} · 会话 #${c.id}`;
  $("case-meta").textContent = [
    STATUSES[c.status] || c.status,
    c.reason_label,
    `优先级 P${c.priority}`,
    channelName(c.channel),
    c.status === "queued" || c.status === "claimed" ? `已等待 ${waited(c.waiting_seconds)}` : null,
  ].filter(Boolean).join(" · ");
  $("claim-button").hidden = c.status !== "queued";
  $("close-button").hidden = !(mine(c) || c.status === "ticket" || c.status === "queued");
  $("composer").hidden = !mine(c);
  $("callback-box").hidden = c.status !== "ticket";
  $("callback-summary").textContent = c.status === "ticket" ? `联系方式 ${c.ticket_contact || "—"}` : "";
  if (c.status === "claimed" && !mine(c)) alertBanner(`由 ${c.claimed_by_name || c.claimed_by} 接待中`);
  else if (c.status === "closed" && c.ticket_contact) alertBanner("留言工单已结束");
  else if (c.status === "closed") alertBanner("会话已结束，机器人已恢复接待这位顾客");
  else if (c.status === "ticket") {
    alertBanner([
      `留言工单：回电 ${day(c.callback_at)}${c.overdue ? "（已超时）" : ""}`,
      `联系方式 ${c.ticket_contact || "—"}`,
      callbackCount(c),
    ].filter(Boolean).join("，"));
  }
  else if (c.status === "queued" && state.caseData.wasMine) alertBanner("会话已超时，退回排队");
  else alertBanner("");
}

async function refreshMessages() {
  if (!state.caseId) return;
  const since = state.lastMessageId ? `?since=${state.lastMessageId}` : "";
  let data;
  try { data = await api(`cases/${state.caseId}/messages${since}`); } catch (error) { return; }
  if (data.case.id !== state.caseId) return;
  const wasMine = mine(state.caseData) || state.caseData.wasMine;
  Object.assign(state.caseData, data.case, { wasMine: wasMine && data.case.status === "queued" });
  appendMessages(data.messages);
  renderCaseHeader();
}

// The problem reports of the order the case is about (售后登记), with the shopper's photos.
async function refreshReports() {
  const caseId = state.caseId;
  const list = $("problem-reports");
  let data;
  try { data = await api(`cases/${caseId}/reports`); } catch (error) { return; }
  if (caseId !== state.caseId) return;
  if (!data.reports.length) {
    list.replaceChildren(el("li", { class: "muted", text: data.unavailable ? "店铺系统暂时无法查询" : "无" }));
    return;
  }
  list.replaceChildren(...data.reports.map((report) => {
    const photos = report.photos.map(ownPhotoLink).filter(Boolean);
    return el("li", { "data-testid": "problem-report" },
      el("div", {}, el("span", { class: "oid", text: report.report_id }), el("span", { class: "state", text: report.status_label })),
      el("div", { text: `${report.kind_label}：${report.description}` }),
      el("div", { class: "muted", text: `${day(report.created_at)}${photos.length ? ` · 照片 ${photos.length} 张` : ""}` }),
      photos.length ? el("div", { class: "thumbs" }, ...photos.map((photo) =>
        el("a", { class: "photo-link", href: photo, target: "_blank", rel: "noopener noreferrer" },
          el("img", { class: "photo", src: photo, alt: "顾客发送的问题照片" })))) : null);
  }));
}

async function refreshSuggestions() {
  const caseId = state.caseId;
  const list = $("suggestion-list");
  let data;
  try { data = await api(`cases/${caseId}/suggestions`); } catch (error) { return; }
  if (caseId !== state.caseId) return;
  state.suggestionsFor = data.for;
  $("suggestions-for").textContent = data.for ? `（针对：${data.for.slice(0, 30)}）` : "";
  if (!data.replies.length) {
    list.replaceChildren(el("li", { class: "muted", text: "暂无推荐回复" }));
    return;
  }
  list.replaceChildren(...data.replies.map((reply) => el("li", { class: "suggestion", "data-testid": "suggestion" },
    el("button", {
      class: "use", title: "点击填入输入框，可修改后发送", text: reply,
      onclick: () => { $("reply-text").value = reply; $("reply-text").focus(); },
    }),
    el("button", { class: "send-now", "data-testid": "send-suggestion", text: "发送", onclick: () => sendReply(reply) }))));
}

async function sendReply(text) {
  const reply = (text === undefined ? $("reply-text").value : text).trim();
  $("reply-error").textContent = "";
  if (!reply) {
    $("reply-error").textContent = "回复内容不能为空";
    return;
  }
  $("send-button").disabled = true;
  try {
    const data = await api(`cases/${state.caseId}/reply`, { method: "POST", body: { text: reply } });
    if (text === undefined || $("reply-text").value.trim() === reply) $("reply-text").value = "";
    appendMessages([data.message]);
  } catch (error) {
    $("reply-error").textContent = error.message;
    refreshMessages();
  } finally {
    $("send-button").disabled = false;
  }
}

async function closeCase() {
  const button = $("close-button");
  // Two clicks, no dialog: ending a conversation by a slip of the mouse is worse than one more click.
  if (!state.closeArmed) {
    button.textContent = "确认结束？";
    state.closeArmed = setTimeout(() => { state.closeArmed = null; button.textContent = "结束会话"; }, CLOSE_CONFIRM_MS);
    return;
  }
  clearTimeout(state.closeArmed);
  state.closeArmed = null;
  button.textContent = "结束会话";
  try {
    // The answer is the last word on the case: a closed case is no longer an agent's to read.
    const data = await api(`cases/${state.caseId}/close`, { method: "POST" });
    if (data.case.id === state.caseId) Object.assign(state.caseData, data.case, { wasMine: false });
    renderCaseHeader();
  } catch (error) {
    alertBanner(error.message);
  }
  refreshQueue();
}

async function recordCallback(outcome) {
  const note = $("callback-note").value.trim();
  $("callback-error").textContent = "";
  if (outcome === "reached" && !note) {
    $("callback-error").textContent = "已联系上顾客，请写下沟通结果";
    return;
  }
  const buttons = [$("callback-reached"), $("callback-no-answer")];
  buttons.forEach((button) => { button.disabled = true; });
  try {
    const data = await api(`cases/${state.caseId}/callback`, { method: "POST", body: { outcome, note } });
    $("callback-note").value = "";
    if (data.case.id === state.caseId) Object.assign(state.caseData, data.case);
    appendMessages([data.message]);
    renderCaseHeader();
  } catch (error) {
    $("callback-error").textContent = error.message;
    refreshMessages();
  } finally {
    buttons.forEach((button) => { button.disabled = false; });
  }
  refreshQueue();
}

// --- the customer ----------------------------------------------------------------

function facts(list, rows) {
  list.replaceChildren(...rows.filter(([, value]) => value !== null && value !== undefined && value !== "")
    .flatMap(([label, value]) => [el("dt", { text: label }), el("dd", {}, value)]));
}

function renderProfile(c) {
  const customer = c.customer;
  if (!customer) {
    $("customer-profile").replaceChildren(el("dd", { class: "muted", text: "匿名顾客（未登录，无会员资料）" }));
  } else {
    facts($("customer-profile"), [
      ["姓名", customer.name],
      ["会员", customer.member_level_label || customer.member_level],
      ["电话", customer.phone],
      ["地区", [customer.province, customer.city].filter(Boolean).join(" ")],
      ["标签", (customer.tags || []).length ? el("span", {}, ...customer.tags.map((tag) => el("span", { class: "tag", text: tag }))) : null],
      ["注册", customer.registered_at ? customer.registered_at.slice(0, 10) : null],
      ["顾客号", customer.customer_id],
    ]);
  }
  facts($("case-facts"), [
    ["原因", c.reason_label],
    ["意图", c.intent_label ? `${c.intent_label}（${c.intent}）` : c.intent],
    ["情绪", c.emotion_score !== null && c.emotion_score !== undefined ? `${Math.round(c.emotion_score * 100)}%` : null],
    ...Object.entries(c.slots || {}).map(([slot, value]) => [SLOT_LABELS[slot] || slot, String(value)]),
    ["会话号", c.sender_id],
  ]);
  const orders = c.recent_orders || [];
  $("recent-orders").replaceChildren(...(orders.length ? orders.map((order) => el("li", {},
    el("div", {}, el("span", { class: "oid", text: order.order_id }), el("span", { class: "state", text: order.status_label || order.status })),
    el("div", { class: "muted", text: (order.items || []).map((item) => `${item.product_name}${[item.color, item.size].filter(Boolean).length ? `（${[item.color, item.size].filter(Boolean).join("/")}）` : ""} ×${item.quantity}`).join("，") }),
    el("div", { class: "muted", text: [order.paid_amount ? `实付 ¥${order.paid_amount}` : null, order.carrier ? `${order.carrier} ${order.tracking_number || ""}` : null].filter(Boolean).join(" · ") }))) : [el("li", { class: "muted", text: "无订单" })]));
  const contacts = (customer && customer.recent_contacts) || [];
  $("recent-contacts").replaceChildren(...(contacts.length ? contacts.map((contact) => el("li", {},
    el("div", { text: `${day(contact.at)} · ${channelName(contact.channel)} · ${contact.topic || ""}` }),
    el("div", { class: "muted", text: contact.summary || "" }))) : [el("li", { class: "muted", text: "无记录" })]));
}

// --- wiring -----------------------------------------------------------------------

$("login-form").addEventListener("submit", login);
$("logout").addEventListener("click", logout);
$("claim-button").addEventListener("click", () => claimCase(state.caseId));
$("close-button").addEventListener("click", closeCase);
$("send-button").addEventListener("click", () => sendReply());
$("callback-reached").addEventListener("click", () => recordCallback("reached"));
$("callback-no-answer").addEventListener("click", () => recordCallback("no_answer"));
// The shopper sees "客服正在输入" while the agent writes (channels that can show it: the web chat).
const TYPING_EVERY_MS = 3000;
let lastTypingSent = 0;
$("reply-text").addEventListener("input", () => {
  const c = state.caseData;
  if (!c || c.status !== "claimed" || c.claimed_by !== state.me.username || !$("reply-text").value.trim()) return;
  if (Date.now() - lastTypingSent < TYPING_EVERY_MS) return;
  lastTypingSent = Date.now();
  api(`cases/${c.id}/typing`, { method: "POST", body: { typing: true } }).catch(() => { /* only a courtesy */ });
});
$("reply-text").addEventListener("keydown", (event) => {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) sendReply();
});
document.querySelectorAll(".tab").forEach((button) => button.addEventListener("click", () => switchTab(button.dataset.tab)));

api("me").then((data) => startWorkspace(data.agent)).catch((error) => {
  if (error.status !== 401) showLogin(error.message);
});
