// The LINE simulator page: chat with the bot as a simulated citizen.
// Everything the user "does" goes to the server (simulator/send), which signs a real LINE webhook
// event and POSTs it to this app's /line/webhook; the bot's answers are polled from the fake LINE chat log.
"use strict";

const config = JSON.parse(document.getElementById("simulator-config").textContent);

const I18N = {
  th: {
    title: "จำลองแชต LINE ของ ESS Help Me", users: "ผู้ใช้จำลอง", displayName: "ชื่อที่แสดง",
    appLanguage: "ภาษาแอป LINE", addFriend: "เพิ่มเพื่อน", events: "เหตุการณ์",
    follow: "เพิ่มเพื่อน / เลิกบล็อก", unfollow: "บล็อกบอท", redeliver: "ส่งเหตุการณ์ล่าสุดซ้ำ",
    idle: "ยังไม่ได้ส่ง", howItWorks: "ทุกข้อความถูกลงลายเซ็นด้วย channel secret แล้วส่งไปที่ /line/webhook ของแอปนี้จริง",
    sticker: "สติกเกอร์", photo: "รูปภาพ", location: "ตำแหน่ง", typeMessage: "พิมพ์ข้อความ", send: "ส่ง",
    shareLocation: "แชร์ตำแหน่ง", preset: "สถานที่ตัวอย่าง", choosePreset: "— เลือก —",
    clickMap: "คลิกบนแผนที่เพื่อปักหมุด หรือพิมพ์พิกัด", latitude: "ละติจูด", longitude: "ลองจิจูด",
    placeTitle: "ชื่อสถานที่ (ไม่บังคับ)", address: "ที่อยู่ (ไม่บังคับ)", cancel: "ยกเลิก", sendLocation: "ส่งตำแหน่ง",
    pickUser: "เลือกหรือเพิ่มผู้ใช้จำลองก่อน", noUsers: "ยังไม่มีผู้ใช้ เพิ่มเพื่อนทางซ้ายเพื่อเริ่มแชต",
    emptyChat: "ยังไม่มีข้อความ", silent: "🔕 ไม่มีเสียง", blocked: "บล็อกอยู่", sendFailed: "ส่งไม่สำเร็จ:",
    unsupported: "หน้าจำลองยังไม่รองรับปุ่มชนิดนี้:", photoTooBig: "รูปใหญ่เกิน 10 MB", via: { reply: "ตอบกลับ", push: "พุช" },
    pinned: "ตำแหน่งที่ปักหมุด",
  },
  en: {
    title: "ESS Help Me LINE chat simulator", users: "Simulated users", displayName: "Display name",
    appLanguage: "LINE app language", addFriend: "Add friend", events: "Events",
    follow: "Add friend / unblock", unfollow: "Block the bot", redeliver: "Redeliver last event",
    idle: "Nothing sent yet", howItWorks: "Every message is signed with the channel secret and really POSTed to this app's /line/webhook",
    sticker: "Sticker", photo: "Photo", location: "Location", typeMessage: "Type a message", send: "Send",
    shareLocation: "Share location", preset: "Example places", choosePreset: "— choose —",
    clickMap: "Click the map to drop a pin, or type coordinates", latitude: "Latitude", longitude: "Longitude",
    placeTitle: "Place name (optional)", address: "Address (optional)", cancel: "Cancel", sendLocation: "Send location",
    pickUser: "Pick or add a simulated user first", noUsers: "No users yet: add a friend on the left to start",
    emptyChat: "No messages yet", silent: "🔕 silent", blocked: "blocked", sendFailed: "Sending failed:",
    unsupported: "The simulator does not support this action yet:", photoTooBig: "Photo larger than 10 MB", via: { reply: "reply", push: "push" },
    pinned: "Pinned location",
  },
};

// The drawn map: Thailand's bounding box (with a margin), 100 SVG units per degree.
const MAP = { west: 97.0, east: 106.0, south: 5.0, north: 20.9, scale: 100 };

const state = {
  ui: localStorage.getItem("simulator.ui") || "th",
  users: [],
  userId: localStorage.getItem("simulator.user"),
  lastSeq: 0,
  polling: false,
  towns: [],
};

const $ = (selector) => document.querySelector(selector);
const t = (key) => I18N[state.ui][key] ?? I18N.th[key] ?? key;

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "className") node.className = value;
    else if (name === "onclick") node.addEventListener("click", value);
    else if (name === "style") Object.assign(node.style, value);
    else node.setAttribute(name, value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

async function api(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: body ? { "content-type": "application/json" } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(typeof data.detail === "string" ? data.detail : `HTTP ${response.status}`);
  return data;
}

function showStatus(text, isError = false) {
  const status = $("#status");
  status.textContent = text;
  status.classList.toggle("error", isError);
}

// ---- language of the page ----------------------------------------------------------------

function applyLanguage() {
  document.documentElement.lang = state.ui;
  document.querySelectorAll("[data-i18n]").forEach((node) => { node.textContent = t(node.dataset.i18n); });
  document.querySelectorAll("[data-i18n-placeholder]").forEach((node) => { node.placeholder = t(node.dataset.i18nPlaceholder); });
  document.querySelectorAll("[data-i18n-title]").forEach((node) => { node.title = t(node.dataset.i18nTitle); });
  $("#ui-language").textContent = state.ui === "th" ? "English" : "ภาษาไทย";
  renderPresets();
  drawMap();
  renderUsers();
}

// ---- simulated users -----------------------------------------------------------------------

async function loadUsers() {
  state.users = await api("GET", "simulator/users");
  if (!state.users.some((user) => user.userId === state.userId)) {
    state.userId = state.users.length ? state.users[0].userId : null;
  }
  renderUsers();
  selectUser(state.userId);
}

function renderUsers() {
  const list = $("#user-list");
  list.replaceChildren(
    ...state.users.map((user) => element("li", {},
      element("button", {
        type: "button",
        className: user.userId === state.userId ? "selected" : "",
        onclick: () => selectUser(user.userId),
      },
      element("span", {}, user.displayName),
      element("small", {}, `${user.language || "-"}${user.following ? "" : " · " + t("blocked")}`))))
  );
  const current = state.users.find((user) => user.userId === state.userId);
  $("#chat-user").textContent = current ? `${current.displayName} · ${current.userId.slice(0, 9)}…` : "";
}

// The fake LINE platform's LINE Login knows who holds the phone by this cookie, as LINE knows its
// app's user: a link the bot sent (the alert's "Open") signs the chosen user in to the back office.
function signInToLine(userId) {
  const path = "/dev/line-api/oauth2/v2.1/authorize";
  document.cookie = userId
    ? `fake_line_session=${encodeURIComponent(userId)}; path=${path}; SameSite=Lax`
    : `fake_line_session=; path=${path}; max-age=0`;
}

function selectUser(userId) {
  state.userId = userId;
  state.lastSeq = 0;
  if (userId) localStorage.setItem("simulator.user", userId);
  signInToLine(userId);
  $("#chat").replaceChildren(element("p", { className: "empty" }, userId ? t("emptyChat") : t("noUsers")));
  hideQuickReplies();
  renderUsers();
  poll();
}

async function createUser(event) {
  event.preventDefault();
  const form = event.target;
  const user = await api("POST", "simulator/users", {
    displayName: form.displayName.value.trim(),
    language: form.language.value,
  });
  form.reset();
  state.users.push(user);
  selectUser(user.userId);
  await send({ kind: "follow" }); // adding the bot as a friend is what LINE reports as "follow"
}

// ---- talking to the bot --------------------------------------------------------------------

async function send(input) {
  if (!state.userId) { showStatus(t("pickUser"), true); return; }
  hideQuickReplies();
  $("#sticker-picker").hidden = true;
  try {
    const result = await api("POST", "simulator/send", { userId: state.userId, input });
    showStatus(`${result.event.type} → webhook ${result.webhookStatus}`, result.webhookStatus !== 200);
  } catch (error) {
    showStatus(`${t("sendFailed")} ${error.message}`, true);
  }
  await poll();
  if (input.kind === "follow" || input.kind === "unfollow") await loadUsers();
}

async function poll() {
  if (!state.userId || state.polling) return;
  state.polling = true;
  const userId = state.userId;
  try {
    const data = await api("GET", `simulator/chat/${encodeURIComponent(userId)}?after=${state.lastSeq}`);
    if (userId !== state.userId) return;
    for (const entry of data.entries) {
      appendEntry(entry);
      state.lastSeq = entry.seq;
    }
  } catch (error) {
    showStatus(error.message, true);
  } finally {
    state.polling = false;
  }
}

function appendEntry(entry) {
  const chat = $("#chat");
  chat.querySelector(".empty")?.remove();
  const fromBot = entry.sender === "bot";
  const time = new Date(entry.at).toLocaleTimeString(state.ui === "th" ? "th-TH" : "en-GB", { hour: "2-digit", minute: "2-digit" });
  const meta = element("span", { className: "meta" }, time,
    fromBot ? ` · ${t("via")[entry.via] || entry.via}` : "",
    fromBot && entry.notificationDisabled ? element("span", { className: "silent" }, t("silent")) : null);
  chat.append(element("div", { className: `entry ${entry.sender}` },
    fromBot ? element("span", { className: "avatar" }, "ESS") : null,
    element("div", { className: "content" }, renderMessage(entry.message, entry.messageId), meta)));
  // LINE shows quick replies of the latest message only, and drops them once anything else arrives.
  if (fromBot && entry.message.quickReply) showQuickReplies(entry.message.quickReply.items);
  else hideQuickReplies();
  // Scroll last: showing the quick replies shrinks the chat and would hide the newest message.
  chat.scrollTop = chat.scrollHeight;
}

// ---- rendering LINE message objects --------------------------------------------------------

function renderMessage(message, messageId) {
  switch (message.type) {
    case "text":
      return element("div", { className: "bubble" }, message.text);
    case "sticker": {
      const known = config.stickers.find((s) => s.packageId === message.packageId && s.stickerId === message.stickerId);
      return element("div", { className: "sticker" }, known ? known.emoji : "🏷️",
        element("small", {}, `sticker ${message.packageId}/${message.stickerId}`));
    }
    case "image": {
      const source = message.originalContentUrl || `simulator/content/${encodeURIComponent(message.id || messageId)}`;
      return element("img", { className: "photo", src: source, alt: "photo" });
    }
    case "location":
      return element("div", { className: "location-card" },
        element("div", { className: "pin" }, "📍"),
        element("div", { className: "text" },
          element("strong", {}, message.title || t("pinned")),
          message.address ? element("small", {}, message.address) : null,
          element("small", {}, `${Number(message.latitude).toFixed(5)}, ${Number(message.longitude).toFixed(5)}`)));
    case "flex":
      return element("div", { title: message.altText }, renderFlexContainer(message.contents));
    case "template":
      return renderTemplate(message);
    default:
      return element("pre", { className: "raw" }, JSON.stringify(message, null, 2));
  }
}

function renderTemplate(message) {
  const template = message.template || {};
  const actions = template.actions || [];
  return element("div", { className: "template-card", title: message.altText },
    template.title ? element("div", { className: "text" }, element("strong", {}, template.title)) : null,
    element("div", { className: "text" }, template.text || message.altText),
    actions.map((action) => element("button", { type: "button", onclick: () => runAction(action) }, action.label)));
}

const FLEX_SIZES = { xxs: "0.65rem", xs: "0.72rem", sm: "0.82rem", md: "0.92rem", lg: "1.05rem", xl: "1.2rem",
  xxl: "1.4rem", "3xl": "1.7rem", "4xl": "2rem", "5xl": "2.4rem" };
const FLEX_SPACES = { none: "0", xs: "2px", sm: "4px", md: "8px", lg: "12px", xl: "16px", xxl: "20px" };

function renderFlexContainer(container) {
  if (!container) return null;
  if (container.type === "carousel") {
    return element("div", { className: "flex-carousel" }, (container.contents || []).map(renderFlexContainer));
  }
  const styles = container.styles || {};
  return element("div", { className: `flex-bubble size-${container.size || "mega"}` },
    ["header", "hero", "body", "footer"].filter((part) => container[part]).map((part) =>
      element("div", {
        className: `flex-section ${part}`,
        style: { backgroundColor: styles[part]?.backgroundColor || "" },
      }, renderFlexComponent(container[part], "vertical", true))));
}

function renderFlexComponent(component, parentLayout, first) {
  const spacing = { marginTop: "", marginLeft: "" };
  if (!first && component.margin) {
    spacing[parentLayout === "vertical" ? "marginTop" : "marginLeft"] = FLEX_SPACES[component.margin] || component.margin;
  }
  const flex = component.flex !== undefined ? { flex: `${component.flex} 1 0` } : {};
  switch (component.type) {
    case "box": {
      const layout = component.layout || "vertical";
      const children = (component.contents || []).map((child, index) => {
        const rendered = renderFlexComponent(child, layout, index === 0);
        if (index > 0 && component.spacing && !child.margin && rendered) {
          rendered.style[layout === "vertical" ? "marginTop" : "marginLeft"] = FLEX_SPACES[component.spacing] || component.spacing;
        }
        return rendered;
      });
      const box = element("div", {
        className: `flex-box ${layout}`,
        style: {
          ...spacing, ...flex,
          backgroundColor: component.backgroundColor || "",
          padding: FLEX_SPACES[component.paddingAll] || component.paddingAll || "",
          borderRadius: component.cornerRadius || "",
          cursor: component.action ? "pointer" : "",
        },
      }, children);
      if (component.action) box.addEventListener("click", () => runAction(component.action));
      return box;
    }
    case "text": {
      const text = component.contents?.length ? component.contents.map((span) => span.text).join("") : component.text;
      return element("p", {
        className: `flex-text${component.wrap ? " wrap" : ""}`,
        style: {
          ...spacing, ...flex,
          fontSize: FLEX_SIZES[component.size] || component.size || FLEX_SIZES.md,
          fontWeight: component.weight === "bold" ? "700" : "",
          color: component.color || "",
          textAlign: component.align || "",
        },
      }, text);
    }
    case "button": {
      const style = component.style || "link";
      return element("button", {
        type: "button",
        className: `flex-button ${style} ${component.height || ""}`,
        style: { ...spacing, ...flex, ...(component.color ? (style === "link" ? { color: component.color } : { backgroundColor: component.color }) : {}) },
        onclick: () => runAction(component.action),
      }, component.action?.label || "");
    }
    case "image":
      return element("img", { className: "flex-image", src: component.url, alt: "", style: { ...spacing } });
    case "icon":
      return element("img", { src: component.url, alt: "", style: { ...spacing, width: "1em", height: "1em", flex: "none" } });
    case "separator":
      return element("hr", { className: "flex-separator", style: { ...spacing, borderColor: component.color || "" } });
    case "spacer":
    case "filler":
      return element("div", { style: { ...spacing, ...flex, minHeight: FLEX_SPACES[component.size] || "" } });
    default:
      return null;
  }
}

// ---- actions: quick reply chips and buttons ------------------------------------------------

const ACTION_ICONS = { location: "📍 ", camera: "📷 ", cameraRoll: "🖼️ ", datetimepicker: "📅 " };

function showQuickReplies(items) {
  const bar = $("#quick-replies");
  bar.replaceChildren(...items.map((item) => element("button", {
    type: "button", onclick: () => runAction(item.action),
  }, (ACTION_ICONS[item.action.type] || "") + (item.action.label || ""))));
  bar.hidden = items.length === 0;
}

function hideQuickReplies() {
  const bar = $("#quick-replies");
  bar.hidden = true;
  bar.replaceChildren();
}

function runAction(action) {
  if (!action) return;
  switch (action.type) {
    case "message":
      return send({ kind: "text", text: action.text });
    case "postback":
      return send({ kind: "postback", data: action.data, displayText: action.displayText || action.text || null });
    case "location":
      return openLocationPicker();
    case "camera":
    case "cameraRoll":
      return $("#photo-input").click();
    case "uri":
      return window.open(action.uri, "_blank", "noopener");
    case "clipboard":
      return navigator.clipboard?.writeText(action.clipboardText);
    case "datetimepicker": {
      const value = window.prompt(action.mode, action.initial || "");
      if (value) return send({ kind: "postback", data: action.data, params: { [action.mode]: value } });
      return undefined;
    }
    default:
      showStatus(`${t("unsupported")} ${action.type}`, true);
      return undefined;
  }
}

// ---- photo and stickers --------------------------------------------------------------------

function sendPhoto(file) {
  if (!file) return;
  if (file.size > 10 * 1024 * 1024) { showStatus(t("photoTooBig"), true); return; }
  const reader = new FileReader();
  reader.onload = () => {
    const dataBase64 = String(reader.result).split(",", 2)[1];
    send({ kind: "image", dataBase64, contentType: file.type || "image/jpeg" });
  };
  reader.readAsDataURL(file);
}

function renderStickerPicker() {
  $("#sticker-picker").replaceChildren(...config.stickers.map((sticker) => element("button", {
    type: "button", title: sticker.keywords.join(", "),
    onclick: () => send({ kind: "sticker", packageId: sticker.packageId, stickerId: sticker.stickerId, keywords: sticker.keywords }),
  }, sticker.emoji)));
}

// ---- the location picker: a drawn map of Thailand ------------------------------------------

const SVG = "http://www.w3.org/2000/svg";

function svg(tag, attributes = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

const toX = (longitude) => (longitude - MAP.west) * MAP.scale;
const toY = (latitude) => (MAP.north - latitude) * MAP.scale;

function drawMap() {
  const map = $("#map");
  const width = (MAP.east - MAP.west) * MAP.scale;
  const height = (MAP.north - MAP.south) * MAP.scale;
  map.setAttribute("viewBox", `0 0 ${width} ${height}`);
  map.replaceChildren();
  for (let longitude = Math.ceil(MAP.west); longitude <= MAP.east; longitude += 1) {
    map.append(svg("line", { class: "grid", x1: toX(longitude), x2: toX(longitude), y1: 0, y2: height }));
    if (longitude % 2 === 0) map.append(svg("text", { class: "grid-label", x: toX(longitude) + 4, y: height - 8 }, `${longitude}°E`));
  }
  for (let latitude = Math.ceil(MAP.south); latitude <= MAP.north; latitude += 1) {
    map.append(svg("line", { class: "grid", x1: 0, x2: width, y1: toY(latitude), y2: toY(latitude) }));
    if (latitude % 2 === 0) map.append(svg("text", { class: "grid-label", x: 6, y: toY(latitude) - 6 }, `${latitude}°N`));
  }
  for (const [latitude, longitude] of state.towns) {
    map.append(svg("circle", { class: "town", cx: toX(longitude), cy: toY(latitude), r: 7 }));
  }
  for (const city of config.cities) {
    map.append(svg("circle", { class: "city", cx: toX(city.longitude), cy: toY(city.latitude), r: 9 }));
    map.append(svg("text", { class: "city-label", x: toX(city.longitude) + 14, y: toY(city.latitude) + 9 }, city[state.ui]));
  }
  map.append(svg("circle", { id: "marker", class: "marker", r: 16, cx: -100, cy: -100 }));
  placeMarker();
}

function placeMarker() {
  const form = $("#location-form");
  const latitude = parseFloat(form.latitude.value);
  const longitude = parseFloat(form.longitude.value);
  const marker = document.getElementById("marker");
  if (!marker) return;
  const known = Number.isFinite(latitude) && Number.isFinite(longitude);
  marker.setAttribute("cx", known ? toX(longitude) : -100);
  marker.setAttribute("cy", known ? toY(latitude) : -100);
}

function pinFromClick(event) {
  const map = $("#map");
  const point = map.createSVGPoint();
  point.x = event.clientX;
  point.y = event.clientY;
  const inMap = point.matrixTransform(map.getScreenCTM().inverse());
  const form = $("#location-form");
  form.latitude.value = (MAP.north - inMap.y / MAP.scale).toFixed(5);
  form.longitude.value = (MAP.west + inMap.x / MAP.scale).toFixed(5);
  form.title.value = "";
  form.address.value = "";
  $("#preset").value = "";
  placeMarker();
}

function renderPresets() {
  const select = $("#preset");
  const chosen = select.value;
  select.replaceChildren(element("option", { value: "" }, t("choosePreset")),
    ...config.presets.map((preset, index) => element("option", { value: String(index) }, state.ui === "th" ? preset.name_th : preset.name_en)));
  select.value = chosen;
}

function applyPreset() {
  const preset = config.presets[Number($("#preset").value)];
  if (!$("#preset").value || !preset) return;
  const form = $("#location-form");
  form.latitude.value = preset.latitude;
  form.longitude.value = preset.longitude;
  form.title.value = preset.title || "";
  form.address.value = preset.address || "";
  placeMarker();
}

function openLocationPicker() {
  if (!state.userId) { showStatus(t("pickUser"), true); return; }
  $("#location-dialog").showModal();
  placeMarker();
}

function sendLocation(event) {
  event.preventDefault();
  const form = event.target;
  $("#location-dialog").close();
  send({
    kind: "location",
    latitude: parseFloat(form.latitude.value),
    longitude: parseFloat(form.longitude.value),
    title: form.title.value.trim() || null,
    address: form.address.value.trim() || null,
  });
}

// ---- wiring --------------------------------------------------------------------------------

function wire() {
  $("#ui-language").addEventListener("click", () => {
    state.ui = state.ui === "th" ? "en" : "th";
    localStorage.setItem("simulator.ui", state.ui);
    applyLanguage();
    selectUser(state.userId); // redraw the chat so its labels follow the language
  });
  $("#new-user").addEventListener("submit", (event) => createUser(event).catch((error) => showStatus(error.message, true)));
  $("#follow").addEventListener("click", () => send({ kind: "follow" }));
  $("#unfollow").addEventListener("click", () => send({ kind: "unfollow" }));
  $("#redeliver").addEventListener("click", async () => {
    try {
      const result = await api("POST", "simulator/redeliver", { userId: state.userId });
      showStatus(`redelivery → webhook ${result.webhookStatus}`, result.webhookStatus !== 200);
    } catch (error) { showStatus(error.message, true); }
  });
  $("#composer").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = $("#text").value.trim();
    if (!text) return;
    $("#text").value = "";
    send({ kind: "text", text });
  });
  $("#sticker-button").addEventListener("click", () => { $("#sticker-picker").hidden = !$("#sticker-picker").hidden; });
  $("#photo-button").addEventListener("click", () => $("#photo-input").click());
  $("#photo-input").addEventListener("change", (event) => { sendPhoto(event.target.files[0]); event.target.value = ""; });
  $("#location-button").addEventListener("click", openLocationPicker);
  $("#map").addEventListener("click", pinFromClick);
  $("#preset").addEventListener("change", applyPreset);
  $("#location-form").addEventListener("submit", sendLocation);
  $("#location-form").addEventListener("input", placeMarker);
  $("#location-cancel").addEventListener("click", () => $("#location-dialog").close());
}

async function start() {
  wire();
  renderStickerPicker();
  applyLanguage();
  try {
    state.towns = await (await fetch("static/thailand_towns.json")).json();
    drawMap();
  } catch (error) { /* the grid and the labelled cities are enough to pin a place */ }
  await loadUsers();
  setInterval(poll, 1000);
}

start();
