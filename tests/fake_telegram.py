"""A fake Telegram Bot API server for end-to-end bot tests and load benchmarks.

Why this exists: cdsbot's tests must exercise the *real* python-telegram-bot
``Application`` (handlers, filters, rate limiter, HTTP layer, (de)serialisation)
instead of mocking ``Bot`` methods, because most production bugs live exactly in
that glue: wrong ``chat_id``, malformed ``reply_markup``, unhandled 429/403,
HTML that Telegram refuses to parse, shutdown hangs.  So we speak the actual Bot
API wire protocol over HTTP on 127.0.0.1 and let PTB talk to us through
``ApplicationBuilder().base_url(...).base_file_url(...)``.

Typical use (a pytest fixture is three lines)::

    async with FakeTelegram() as tg:
        app = (ApplicationBuilder().token(tg.token)
               .base_url(tg.base_url).base_file_url(tg.base_file_url).build())
        ...
        tg.send_message("/start", user_id=42)
        [reply] = await tg.wait_for("sendMessage")

Wire-protocol notes (checked against PTB 22.8 sources):

* PTB's ``HTTPXRequest`` POSTs ``application/x-www-form-urlencoded`` fields where
  strings are sent verbatim and every other value is ``json.dumps``-ed (so
  ``chat_id=42`` arrives as ``"42"`` and ``reply_markup`` as a JSON string).
  Uploads are ``multipart/form-data``.  We also accept JSON bodies and GET query
  strings, as the real server does.
* PTB maps errors by *HTTP status* (403 -> ``Forbidden``, 400 -> ``BadRequest``,
  401/404 -> ``InvalidToken``, 409 -> ``Conflict``) and only raises ``RetryAfter``
  when ``parameters.retry_after`` is present, so injected faults use the error
  code as HTTP status and carry ``parameters`` like Telegram does.
* ``getFile`` must return a *relative* ``file_path``; PTB prefixes it with
  ``base_file_url`` itself.

Everything here is single-event-loop: call the ``send_*``/``push_update``
helpers from the loop that runs the server (i.e. from the test coroutine).
"""

from __future__ import annotations

import asyncio
import hashlib
import html
import itertools
import json
import mimetypes
import re
import time as _time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from aiohttp import web

__all__ = ["ApiError", "FakeTelegram", "RecordedRequest", "StoredFile", "UploadedFile", "parse_telegram_html"]

JSON = dict[str, Any]

# Form fields that are *strings* in the Bot API even when they look like JSON
# (e.g. text "123", callback_query_id "4242", next_offset "10").  PTB sends
# strings verbatim, so decoding them with json.loads would corrupt their type.
_STRING_FIELDS = frozenset(
    {
        "text", "caption", "query", "data", "parse_mode", "url", "callback_query_id",
        "inline_query_id", "inline_message_id", "file_id", "description",
        "short_description", "name", "title", "secret_token", "action", "next_offset",
        "language_code", "business_connection_id", "message_effect_id", "emoji",
        "custom_title", "ip_address", "question", "explanation", "address",
        "first_name", "last_name", "phone_number", "vcard", "payload", "currency",
        "start_parameter", "provider_token", "switch_pm_text", "switch_pm_parameter",
        "sticker", "document", "photo", "audio", "video", "voice", "animation",
        "video_note", "thumbnail", "certificate", "cache_key",
    }
)

# Tags Telegram accepts with parse_mode=HTML (https://core.telegram.org/bots/api#html-style).
_HTML_TAGS = frozenset(
    {
        "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span",
        "tg-spoiler", "a", "code", "pre", "blockquote", "tg-emoji",
    }
)

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_GETFILE_SIZE = 20 * 1024 * 1024  # getFile refuses bigger files on the public API
MAX_UPLOAD_SIZE = 50 * 1024 * 1024
MAX_PHOTO_SIZE = 10 * 1024 * 1024  # sendPhoto's limit for uploads


class ApiError(Exception):
    """A Bot API error response; raised inside method implementations.

    Carrying the HTTP status separately is what makes PTB pick the right
    exception class (it looks at the status code, not at ``error_code``).
    """

    def __init__(self, error_code: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.parameters = parameters

    def body(self) -> JSON:
        payload: JSON = {"ok": False, "error_code": self.error_code, "description": self.description}
        if self.parameters:
            payload["parameters"] = self.parameters
        return payload


@dataclass(frozen=True)
class UploadedFile:
    """A multipart file part, stored in ``RecordedRequest.params`` in place of the field."""

    file_name: str | None
    mime_type: str | None
    content: bytes


@dataclass
class StoredFile:
    """A file the fake can serve via getFile + download (user- or bot-sent)."""

    file_id: str
    file_unique_id: str
    file_path: str
    content: bytes


@dataclass
class RecordedRequest:
    """One Bot API call as the server saw it, for assertions and benchmarks.

    ``params`` has JSON-encoded form fields decoded back into objects so tests can
    assert ``params["reply_markup"]["inline_keyboard"]`` directly.  ``time`` is
    ``time.monotonic()`` (latency maths in bench/), ``status`` the HTTP status
    returned and ``response`` the full JSON body.
    """

    method: str
    params: JSON
    time: float
    status: int = 0
    response: JSON = field(default_factory=dict)


@dataclass
class _Failure:
    error_code: int
    description: str
    retry_after: int | None


# One token of Telegram HTML: a tag, a supported entity, or a run of plain characters.
_HTML_TOKEN = re.compile(
    r"<(?P<close>/)?(?P<tag>[a-zA-Z][a-zA-Z0-9-]*)(?P<attrs>(?:\s+[a-zA-Z-]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>\"']+))?)*)\s*>"
    r"|&(?P<entity>lt|gt|amp|quot|#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6});"
    r"|(?P<text>[^<&]+)"
)
_HTML_ATTR = re.compile(r"([a-zA-Z-]+)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>\"']+)))?")


def parse_telegram_html(text: str) -> str:
    """The text Telegram would show for ``text`` with parse_mode=HTML; ValueError where it refuses.

    Stricter than Telegram where Telegram is lenient: a ``<`` or ``&`` that does not start
    a tag or one of the entities Telegram supports is an error here, because in our
    output it always means a cut fell inside a tag or an entity.
    """
    plain: list[str] = []
    stack: list[str] = []
    position = 0
    while position < len(text):
        match = _HTML_TOKEN.match(text, position)
        if match is None:
            raise ValueError(f"Unexpected {text[position]!r} at offset {position}: {text[position:position + 20]!r}")
        position = match.end()
        if match["text"] is not None:
            plain.append(match["text"])
        elif match["entity"] is not None:
            plain.append(html.unescape(f"&{match['entity']};"))
        elif match["close"]:
            tag = match["tag"].lower()
            if not stack:
                raise ValueError(f'Unexpected end tag "{tag}"')
            if stack[-1] != tag:
                raise ValueError(f'Unmatched end tag, expected "</{stack[-1]}>", found "</{tag}>"')
            stack.pop()
        else:
            tag = match["tag"].lower()
            if tag not in _HTML_TAGS:
                raise ValueError(f'Unsupported start tag "{tag}"')
            attrs = {m[1].lower(): m[2] or m[3] or m[4] or "" for m in _HTML_ATTR.finditer(match["attrs"])}
            if tag == "span" and attrs.get("class") != "tg-spoiler":
                raise ValueError('Tag "span" must have class "tg-spoiler"')
            stack.append(tag)
    if stack:
        raise ValueError(f'Can\'t find end tag corresponding to start tag "{stack[-1]}"')
    return "".join(plain)


def _plain_text(text: str, parse_mode: str | None) -> str:
    """Return what Telegram would count/display, raising 400 on bad HTML."""
    if (parse_mode or "").upper() != "HTML":
        return text
    try:
        return parse_telegram_html(text)
    except ValueError as exc:
        raise ApiError(400, f"Bad Request: can't parse entities: {exc}") from None


def _utf16_len(text: str) -> int:
    """Telegram entity offsets/lengths are in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def _decode_field(name: str, value: str) -> Any:
    """Undo PTB's per-field JSON encoding (see module docstring)."""
    if name in _STRING_FIELDS:
        return value
    try:
        decoded = json.loads(value)
    except ValueError:
        return value
    # A JSON string literal would mean the client double-encoded; keep raw.
    return value if isinstance(decoded, str) else decoded


def _bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.lower() in {"1", "true", "yes"}
    return bool(value)


class FakeTelegram:
    """In-process fake of api.telegram.org for one bot token.

    State is deliberately inspectable (``requests``, ``bot_messages``, ``files``,
    ``chat_admins``) so tests assert on what the bot *did*, not on how.
    """

    def __init__(
        self,
        token: str = "123456:TEST-token",
        *,
        bot_user: JSON | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        validate_html: bool = True,
    ) -> None:
        self.token = token
        bot_id = int(token.split(":", 1)[0])
        self.bot_user: JSON = bot_user or {
            "id": bot_id,
            "is_bot": True,
            "first_name": "CDS Test Bot",
            "username": "cdsbot_test_bot",
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self.host = host
        self.port = port
        self.validate_html = validate_html

        self.requests: list[RecordedRequest] = []
        self.bot_messages: list[JSON] = []  # every Message the bot sent, in order
        self.files: dict[str, StoredFile] = {}
        # chat_id -> admin user ids; the first one is reported as "creator".
        self.chat_admins: dict[int, list[int]] = {}
        self.webhook: JSON | None = None
        self.commands: dict[tuple[str, str], list[JSON]] = {}

        self._updates: deque[JSON] = deque()
        self._update_ids = itertools.count(10_000)
        self._message_ids = itertools.count(1)
        self._query_ids = itertools.count(900_000)
        self._file_ids = itertools.count(1)
        self._messages: dict[tuple[int, int], JSON] = {}
        self._users: dict[int, JSON] = {}
        self._chats: dict[int, JSON] = {}
        self._failures: dict[str, deque[_Failure]] = {}
        self._delays: dict[str, deque[float]] = {}
        self._poll_generation = 0
        self._closing = False
        self._updates_event = asyncio.Event()
        self._requests_event = asyncio.Event()
        self._runner: web.AppRunner | None = None
        # Bot API method names are case-insensitive; dispatch on lower case but
        # record the canonical camelCase name so calls("sendMessage") matches.
        self._handlers: dict[str, Callable[[JSON], Any]] = {
            name[5:].lower(): getattr(self, name) for name in dir(self) if name.startswith("_api_")
        }
        self._canonical = {name[5:].lower(): name[5:] for name in dir(self) if name.startswith("_api_")}

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Bind to an ephemeral port (so parallel test runs never collide)."""
        app = web.Application(client_max_size=MAX_UPLOAD_SIZE + 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{file_path:.+}", self._handle_file)
        # shutdown_timeout is only a safety net: stop() wakes long polls first.
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        self._closing = False

    async def stop(self) -> None:
        """Release held getUpdates polls *before* closing, otherwise aiohttp waits
        for them and PTB teardown appears to hang for the whole poll timeout."""
        self._closing = True
        self._wake_pollers()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder().base_url``; PTB appends the token itself."""
        return f"http://{self.host}:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """For ``ApplicationBuilder().base_file_url``; without it downloads go to
        the real api.telegram.org."""
        return f"http://{self.host}:{self.port}/file/bot"

    # ------------------------------------------------------------------ inspection

    def calls(self, method: str) -> list[JSON]:
        """Params of every call to ``method`` (case-insensitive, failed ones included)."""
        wanted = method.lower()
        return [r.params for r in self.requests if r.method.lower() == wanted]

    def requests_for(self, method: str) -> list[RecordedRequest]:
        """Like :meth:`calls` but with status/response, e.g. to see which call got the 429."""
        wanted = method.lower()
        return [r for r in self.requests if r.method.lower() == wanted]

    async def wait_for(
        self,
        method: str,
        count: int = 1,
        timeout: float = 10.0,
        predicate: Callable[[JSON], bool] | None = None,
    ) -> list[JSON]:
        """Wait until ``count`` matching calls were recorded and return all matches.

        Bot handlers run asynchronously after the update is fetched, so tests
        must wait for the *effect*; raising AssertionError with the call log makes
        a failing test self-explanatory.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            matches = [p for p in self.calls(method) if predicate is None or predicate(p)]
            if len(matches) >= count:
                return matches
            remaining = deadline - loop.time()
            if remaining <= 0:
                log = "\n".join(
                    f"  {r.method} [{r.status}] {_short(r.params)}"
                    for r in self.requests
                    if r.method.lower() != "getupdates"
                )
                raise AssertionError(
                    f"expected {count} {method} call(s) within {timeout}s, got {len(matches)};"
                    f" recorded calls (getUpdates omitted):\n{log or '  <none>'}"
                )
            event = self._requests_event
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except TimeoutError:
                pass

    def last_bot_message(self, chat_id: int | None = None) -> JSON:
        """Current state (after edits) of the newest message the bot sent."""
        for message in reversed(self.bot_messages):
            if chat_id is None or message["chat"]["id"] == chat_id:
                return self._messages.get((message["chat"]["id"], message["message_id"]), message)
        raise LookupError(f"the bot has not sent any message to chat {chat_id}")

    def get_message(self, chat_id: int, message_id: int) -> JSON | None:
        """A stored (user- or bot-sent) message, reflecting edits; None if deleted."""
        return self._messages.get((chat_id, message_id))

    @property
    def pending_updates(self) -> list[JSON]:
        """Updates not yet confirmed via getUpdates offset."""
        return list(self._updates)

    # ------------------------------------------------------------------ fault injection

    def fail_next(
        self,
        method: str,
        *,
        error_code: int,
        description: str,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Make the next ``times`` calls of ``method`` fail like Telegram would,
        e.g. 429 + retry_after (flood control) or 403 "Forbidden: bot was blocked
        by the user"."""
        queue = self._failures.setdefault(method.lower(), deque())
        queue.extend(_Failure(error_code, description, retry_after) for _ in range(times))

    def delay_next(self, method: str, seconds: float) -> None:
        """Answer the next call of ``method`` only after ``seconds``; it still takes effect.

        On Telegram a client-side timeout says nothing about whether the
        message went out: this reproduces the "timed out but delivered" case.
        """
        self._delays.setdefault(method.lower(), deque()).append(seconds)

    # ------------------------------------------------------------------ update injection

    def push_update(self, update: JSON) -> None:
        """Queue a raw update (``update_id`` assigned if missing) and wake pollers."""
        if "update_id" not in update:
            update = {"update_id": next(self._update_ids), **update}
        self._updates.append(update)
        self._wake_pollers()

    def send_message(
        self,
        text: str,
        *,
        user_id: int = 1001,
        chat_id: int | None = None,
        chat_type: str = "private",
        username: str | None = None,
        first_name: str = "Test",
        entities: list[JSON] | None = None,
        reply_to_bot: bool = False,
    ) -> JSON:
        """Inject a text message from a user; returns the update.

        Commands get their ``bot_command`` entity automatically because PTB's
        CommandHandler matches on the entity, not on the leading slash.
        """
        fields: JSON = {"text": text}
        if entities is None and text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            entities = [{"type": "bot_command", "offset": 0, "length": _utf16_len(command)}]
        if entities:
            fields["entities"] = entities
        message = self._user_message(
            fields, user_id=user_id, chat_id=chat_id, chat_type=chat_type,
            username=username, first_name=first_name, reply_to_bot=reply_to_bot,
        )
        return self._push_message(message)

    def send_document(
        self,
        content: bytes,
        file_name: str,
        *,
        user_id: int = 1001,
        chat_id: int | None = None,
        chat_type: str = "private",
        caption: str | None = None,
        mime_type: str | None = None,
    ) -> JSON:
        """Inject a document; the bytes become downloadable through getFile."""
        stored = self._store_file(content, "documents", file_name)
        document: JSON = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_name": file_name,
            "mime_type": mime_type or mimetypes.guess_type(file_name)[0] or "application/octet-stream",
            "file_size": len(content),
        }
        fields: JSON = {"document": document}
        if caption is not None:
            fields["caption"] = caption
        message = self._user_message(fields, user_id=user_id, chat_id=chat_id, chat_type=chat_type)
        return self._push_message(message)

    def send_photo(
        self,
        content: bytes = b"\xff\xd8\xff\xe0fake-jpeg",
        *,
        user_id: int = 1001,
        chat_id: int | None = None,
        chat_type: str = "private",
        caption: str | None = None,
        width: int = 800,
        height: int = 600,
    ) -> JSON:
        """Inject a photo (single size) so non-text paths can be exercised."""
        stored = self._store_file(content, "photos", "photo.jpg")
        size = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "width": width,
            "height": height,
            "file_size": len(content),
        }
        fields: JSON = {"photo": [size]}
        if caption is not None:
            fields["caption"] = caption
        message = self._user_message(fields, user_id=user_id, chat_id=chat_id, chat_type=chat_type)
        return self._push_message(message)

    def send_sticker(
        self,
        emoji: str = "👍",
        *,
        user_id: int = 1001,
        chat_id: int | None = None,
        chat_type: str = "private",
    ) -> JSON:
        """Inject a (static) sticker message."""
        stored = self._store_file(b"RIFF-fake-webp", "stickers", "sticker.webp")
        sticker = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
            "file_size": len(stored.content),
        }
        message = self._user_message({"sticker": sticker}, user_id=user_id, chat_id=chat_id, chat_type=chat_type)
        return self._push_message(message)

    def send_callback(self, data: str, *, message: JSON, user_id: int = 1001) -> JSON:
        """Inject a button press on ``message`` (a Message dict the bot sent,
        e.g. from :meth:`last_bot_message`); the current, post-edit version of
        the message is attached, as Telegram does."""
        chat_id = message["chat"]["id"]
        current = self._messages.get((chat_id, message["message_id"]), message)
        query = {
            "id": str(next(self._query_ids)),
            "from": self._user(user_id),
            "message": current,
            "chat_instance": str(-abs(chat_id) * 7919),
            "data": data,
        }
        update = {"update_id": next(self._update_ids), "callback_query": query}
        self.push_update(update)
        return update

    def send_inline_query(self, query: str, *, user_id: int = 1001, offset: str = "") -> JSON:
        """Inject an inline query (``@bot query`` typed in any chat)."""
        inline = {
            "id": str(next(self._query_ids)),
            "from": self._user(user_id),
            "query": query,
            "offset": offset,
            "chat_type": "sender",
        }
        update = {"update_id": next(self._update_ids), "inline_query": inline}
        self.push_update(update)
        return update

    # ------------------------------------------------------------------ internals: state

    def _wake_pollers(self) -> None:
        self._updates_event.set()
        self._updates_event = asyncio.Event()

    def _user(self, user_id: int, username: str | None = None, first_name: str | None = None) -> JSON:
        user = self._users.get(user_id)
        if user is None:
            user = {"id": user_id, "is_bot": False, "first_name": first_name or "Test", "language_code": "vi"}
            self._users[user_id] = user
        if first_name is not None:
            user["first_name"] = first_name
        if username is not None:
            user["username"] = username
        return dict(user)

    def _chat(self, chat_id: int, chat_type: str | None = None, user: JSON | None = None) -> JSON:
        chat = self._chats.get(chat_id)
        if chat is None:
            if chat_type is None:
                chat_type = "private" if chat_id > 0 else ("supergroup" if chat_id <= -1_000_000_000_000 else "group")
            chat = {"id": chat_id, "type": chat_type}
            if chat_type == "private":
                source = user or self._users.get(chat_id) or {"first_name": "Test"}
                chat["first_name"] = source.get("first_name", "Test")
                if source.get("username"):
                    chat["username"] = source["username"]
            else:
                chat["title"] = f"Test {chat_type} {chat_id}"
            self._chats[chat_id] = chat
        return dict(chat)

    def _user_message(
        self,
        fields: JSON,
        *,
        user_id: int,
        chat_id: int | None,
        chat_type: str,
        username: str | None = None,
        first_name: str | None = None,
        reply_to_bot: bool = False,
    ) -> JSON:
        if chat_id is None:
            if chat_type != "private":
                raise ValueError(f"chat_id (negative) is required for chat_type={chat_type!r}")
            chat_id = user_id
        user = self._user(user_id, username=username, first_name=first_name)
        message: JSON = {
            "message_id": next(self._message_ids),
            "from": user,
            "chat": self._chat(chat_id, chat_type, user),
            "date": int(_time.time()),
            **fields,
        }
        if reply_to_bot:
            message["reply_to_message"] = self.last_bot_message(chat_id)
        return message

    def _push_message(self, message: JSON) -> JSON:
        self._messages[(message["chat"]["id"], message["message_id"])] = message
        update = {"update_id": next(self._update_ids), "message": message}
        self.push_update(update)
        return update

    def _store_file(self, content: bytes, folder: str, file_name: str | None) -> StoredFile:
        n = next(self._file_ids)
        suffix = ""
        if file_name and "." in file_name:
            suffix = "." + file_name.rsplit(".", 1)[1]
        digest = hashlib.sha1(content).hexdigest()[:10]
        stored = StoredFile(
            file_id=f"BQACAgIAAxkBAAI{n:05d}{digest}",
            file_unique_id=f"AgAD{n:05d}",
            file_path=f"{folder}/file_{n}{suffix}",
            content=content,
        )
        self.files[stored.file_id] = stored
        return stored

    def _bot_message(self, chat_id_param: Any, fields: JSON, params: JSON) -> JSON:
        chat_id = self._resolve_chat_id(chat_id_param)
        message: JSON = {
            "message_id": next(self._message_ids),
            "from": {k: self.bot_user[k] for k in ("id", "is_bot", "first_name", "username")},
            "chat": self._chat(chat_id),
            "date": int(_time.time()),
            **fields,
        }
        markup = params.get("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            message["reply_markup"] = markup  # Telegram echoes only inline keyboards
        reply_to = params.get("reply_parameters", {}) or {}
        reply_id = reply_to.get("message_id") if isinstance(reply_to, dict) else None
        reply_id = reply_id or params.get("reply_to_message_id")
        if reply_id is not None:
            original = self._messages.get((chat_id, int(reply_id)))
            if original is None:
                if not (isinstance(reply_to, dict) and _bool(reply_to.get("allow_sending_without_reply"))):
                    raise ApiError(400, "Bad Request: message to be replied not found")
            else:
                message["reply_to_message"] = original
        self._messages[(chat_id, message["message_id"])] = message
        self.bot_messages.append(message)
        return message

    def _resolve_chat_id(self, value: Any) -> int:
        if value is None or value == "":
            raise ApiError(400, "Bad Request: chat_id is empty")
        try:
            return int(value)
        except (TypeError, ValueError):
            raise ApiError(400, "Bad Request: chat not found") from None

    def _find_message(self, params: JSON, action: str) -> JSON:
        key = (self._resolve_chat_id(params.get("chat_id")), int(params.get("message_id") or 0))
        message = self._messages.get(key)
        if message is None:
            raise ApiError(400, f"Bad Request: message to {action} not found")
        return message

    def _checked_text(self, text: Any, parse_mode: Any, *, limit: int, empty_error: str | None) -> str:
        text = "" if text is None else str(text)
        plain = _plain_text(text, parse_mode) if self.validate_html else text
        if empty_error and not plain.strip():
            raise ApiError(400, empty_error)
        if len(plain) > limit:
            what = "message" if limit == MAX_TEXT_LENGTH else "message caption"
            raise ApiError(400, f"Bad Request: {what} is too long")
        return text

    def _member(self, chat_id: int, user_id: int) -> JSON:
        admins = self.chat_admins.get(chat_id, [])
        user = self.bot_user if user_id == self.bot_user["id"] else self._user(user_id)
        user = {k: user[k] for k in ("id", "is_bot", "first_name", "username") if k in user}
        if admins and admins[0] == user_id:
            return {"status": "creator", "user": user, "is_anonymous": False}
        if user_id in admins:
            rights = dict.fromkeys(
                (
                    "can_manage_chat", "can_delete_messages", "can_manage_video_chats",
                    "can_restrict_members", "can_change_info", "can_invite_users",
                    "can_post_stories", "can_edit_stories", "can_delete_stories", "can_pin_messages",
                ),
                True,
            )
            return {
                "status": "administrator", "user": user, "can_be_edited": False,
                "is_anonymous": False, "can_promote_members": False, **rights,
            }
        return {"status": "member", "user": user}

    # ------------------------------------------------------------------ internals: HTTP

    async def _read_params(self, request: web.Request) -> JSON:
        params: JSON = {k: _decode_field(k, v) for k, v in request.query.items()}
        if request.method != "POST" or not request.can_read_body:
            return params
        if request.content_type == "application/json":
            body = await request.json()
            if isinstance(body, dict):
                params.update(body)
            return params
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, web.FileField):
                params[key] = UploadedFile(value.filename, value.content_type, value.file.read())
            else:
                params[key] = _decode_field(key, value)
        # Resolve "attach://name" references so params show the actual upload.
        for key, value in list(params.items()):
            if isinstance(value, str) and value.startswith("attach://"):
                attached = params.get(value[len("attach://"):])
                if isinstance(attached, UploadedFile):
                    params[key] = attached
        return params

    def _record(self, method: str, params: JSON) -> RecordedRequest:
        record = RecordedRequest(method=method, params=params, time=_time.monotonic())
        self.requests.append(record)
        # Signal on arrival (not only on completion) so wait_for() also sees
        # calls that are still being held, e.g. a long-polling getUpdates.
        self._signal_request()
        return record

    def _signal_request(self) -> None:
        self._requests_event.set()
        self._requests_event = asyncio.Event()

    def _finish(self, record: RecordedRequest, status: int, body: JSON) -> web.Response:
        record.status = status
        record.response = body
        self._signal_request()
        return web.json_response(body, status=status)

    async def _handle_api(self, request: web.Request) -> web.Response:
        raw_method = request.match_info["method"]
        method = self._canonical.get(raw_method.lower(), raw_method)
        try:
            params = await self._read_params(request)
        except ValueError as exc:  # malformed JSON body
            record = self._record(method, {})
            return self._finish(record, 400, ApiError(400, f"Bad Request: {exc}").body())
        record = self._record(method, params)
        if request.match_info["token"] != self.token:
            return self._finish(record, 401, ApiError(401, "Unauthorized").body())
        handler = self._handlers.get(method.lower())
        if handler is None:
            return self._finish(record, 404, ApiError(404, "Not Found: method not found").body())
        delays = self._delays.get(method.lower())
        if delays:
            await asyncio.sleep(delays.popleft())
        failures = self._failures.get(method.lower())
        if failures:
            failure = failures.popleft()
            parameters = {"retry_after": failure.retry_after} if failure.retry_after is not None else None
            error = ApiError(failure.error_code, failure.description, parameters)
            return self._finish(record, failure.error_code, error.body())
        try:
            result = await handler(params)
        except ApiError as error:
            return self._finish(record, error.error_code, error.body())
        return self._finish(record, 200, {"ok": True, "result": result})

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return web.json_response(ApiError(401, "Unauthorized").body(), status=401)
        path = request.match_info["file_path"]
        for stored in self.files.values():
            if stored.file_path == path:
                return web.Response(body=stored.content, content_type="application/octet-stream")
        return web.json_response(ApiError(404, "Not Found").body(), status=404)

    # ------------------------------------------------------------------ Bot API methods

    async def _api_getMe(self, params: JSON) -> JSON:
        return dict(self.bot_user)

    async def _api_getUpdates(self, params: JSON) -> list[JSON]:
        """Long poll with Telegram's semantics: ``offset`` confirms (deletes)
        everything below it, negative offset keeps only the last -offset updates,
        the call returns as soon as something is queued, and a newer getUpdates
        terminates an older one with 409 (which also frees handlers orphaned by
        PTB cancelling its in-flight poll on stop)."""
        if self.webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active;"
                " use deleteWebhook to delete the webhook first",
            )
        offset = int(params.get("offset") or 0)
        limit = max(1, min(100, int(params.get("limit") or 100)))
        timeout = max(0.0, float(params.get("timeout") or 0))
        if offset > 0:
            while self._updates and self._updates[0]["update_id"] < offset:
                self._updates.popleft()
        elif offset < 0:
            while len(self._updates) > -offset:
                self._updates.popleft()
        self._poll_generation += 1
        generation = self._poll_generation
        self._wake_pollers()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if generation != self._poll_generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request;"
                    " make sure that only one bot instance is running",
                )
            batch = [u for u in self._updates if u["update_id"] >= offset][:limit]
            remaining = deadline - loop.time()
            if batch or self._closing or remaining <= 0:
                return batch
            event = self._updates_event
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except TimeoutError:
                pass

    async def _api_deleteWebhook(self, params: JSON) -> bool:
        self.webhook = None
        if _bool(params.get("drop_pending_updates", False)):
            self._updates.clear()
        return True

    async def _api_setWebhook(self, params: JSON) -> bool:
        url = params.get("url") or ""
        if not url:
            self.webhook = None
            return True
        if not str(url).startswith("https://"):
            raise ApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
        self.webhook = {k: v for k, v in params.items() if not isinstance(v, UploadedFile)}
        if _bool(params.get("drop_pending_updates", False)):
            self._updates.clear()
        return True

    async def _api_getWebhookInfo(self, params: JSON) -> JSON:
        return {
            "url": (self.webhook or {}).get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }

    @staticmethod
    def _commands_key(params: JSON) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(params.get("language_code") or "")

    async def _api_setMyCommands(self, params: JSON) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise ApiError(400, "Bad Request: can't parse commands JSON object")
        for command in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", str(command.get("command", ""))):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands[self._commands_key(params)] = commands
        return True

    async def _api_getMyCommands(self, params: JSON) -> list[JSON]:
        return self.commands.get(self._commands_key(params), [])

    async def _api_deleteMyCommands(self, params: JSON) -> bool:
        self.commands.pop(self._commands_key(params), None)
        return True

    async def _api_sendMessage(self, params: JSON) -> JSON:
        text = self._checked_text(
            params.get("text"), params.get("parse_mode"),
            limit=MAX_TEXT_LENGTH, empty_error="Bad Request: message text is empty",
        )
        fields: JSON = {"text": text}
        if params.get("entities"):
            fields["entities"] = params["entities"]
        return self._bot_message(params.get("chat_id"), fields, params)

    async def _api_editMessageText(self, params: JSON) -> JSON | bool:
        text = self._checked_text(
            params.get("text"), params.get("parse_mode"),
            limit=MAX_TEXT_LENGTH, empty_error="Bad Request: message text is empty",
        )
        if params.get("inline_message_id"):
            return True
        message = self._find_message(params, "edit")
        markup = params.get("reply_markup")
        new_markup = markup if isinstance(markup, dict) and "inline_keyboard" in markup else None
        if message.get("text") == text and message.get("reply_markup") == new_markup:
            raise ApiError(
                400,
                "Bad Request: message is not modified: specified new message content and reply"
                " markup are exactly the same as a current content and reply markup of the message",
            )
        message["text"] = text
        message["edit_date"] = int(_time.time())
        if new_markup is None:
            message.pop("reply_markup", None)
        else:
            message["reply_markup"] = new_markup
        return message

    async def _api_editMessageReplyMarkup(self, params: JSON) -> JSON | bool:
        if params.get("inline_message_id"):
            return True
        message = self._find_message(params, "edit")
        markup = params.get("reply_markup")
        new_markup = markup if isinstance(markup, dict) and markup.get("inline_keyboard") else None
        if message.get("reply_markup") == new_markup:
            raise ApiError(
                400,
                "Bad Request: message is not modified: specified new message content and reply"
                " markup are exactly the same as a current content and reply markup of the message",
            )
        if new_markup is None:
            message.pop("reply_markup", None)
        else:
            message["reply_markup"] = new_markup
        message["edit_date"] = int(_time.time())
        return message

    async def _api_deleteMessage(self, params: JSON) -> bool:
        message = self._find_message(params, "delete")
        del self._messages[(message["chat"]["id"], message["message_id"])]
        return True

    async def _api_answerCallbackQuery(self, params: JSON) -> bool:
        if not params.get("callback_query_id"):
            raise ApiError(400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
        if len(str(params.get("text") or "")) > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        return True

    async def _api_answerInlineQuery(self, params: JSON) -> bool:
        results = params.get("results")
        if not isinstance(results, list):
            raise ApiError(400, "Bad Request: can't parse inline query results JSON object")
        if len(results) > 50:
            raise ApiError(400, "Bad Request: RESULTS_TOO_MUCH")
        return True

    async def _api_sendChatAction(self, params: JSON) -> bool:
        self._resolve_chat_id(params.get("chat_id"))
        return True

    async def _api_getFile(self, params: JSON) -> JSON:
        stored = self.files.get(str(params.get("file_id") or ""))
        if stored is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        if len(stored.content) > MAX_GETFILE_SIZE:
            raise ApiError(400, "Bad Request: file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
            "file_path": stored.file_path,
        }

    async def _api_getChatMember(self, params: JSON) -> JSON:
        chat_id = self._resolve_chat_id(params.get("chat_id"))
        user_id = int(params.get("user_id") or 0)
        if not user_id:
            raise ApiError(400, "Bad Request: PARTICIPANT_ID_INVALID")
        return self._member(chat_id, user_id)

    async def _api_getChatAdministrators(self, params: JSON) -> list[JSON]:
        chat_id = self._resolve_chat_id(params.get("chat_id"))
        if chat_id > 0:
            raise ApiError(400, "Bad Request: there are no administrators in the private chat")
        return [self._member(chat_id, uid) for uid in self.chat_admins.get(chat_id, [])]

    async def _api_sendDocument(self, params: JSON) -> JSON:
        document = params.get("document")
        if isinstance(document, UploadedFile):
            if len(document.content) > MAX_UPLOAD_SIZE:
                raise ApiError(413, "Request Entity Too Large")
            stored = self._store_file(document.content, "documents", document.file_name)
            name, mime = document.file_name, document.mime_type
        elif isinstance(document, str) and document in self.files:
            stored = self.files[document]
            name, mime = stored.file_path.rsplit("/", 1)[-1], None
        else:
            raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        doc: JSON = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
        }
        if name:
            doc["file_name"] = name
        doc["mime_type"] = mime or (mimetypes.guess_type(name or "")[0] or "application/octet-stream")
        fields: JSON = {"document": doc}
        if params.get("caption"):
            fields["caption"] = self._checked_text(
                params["caption"], params.get("parse_mode"), limit=MAX_CAPTION_LENGTH, empty_error=None
            )
        return self._bot_message(params.get("chat_id"), fields, params)

    async def _api_sendPhoto(self, params: JSON) -> JSON:
        """A photo upload (multipart) is kept whole in ``files``; a known file_id is re-sent."""
        photo = params.get("photo")
        if isinstance(photo, UploadedFile):
            if len(photo.content) > MAX_PHOTO_SIZE:
                raise ApiError(400, "Bad Request: PHOTO_INVALID_DIMENSIONS")
            stored = self._store_file(photo.content, "photos", photo.file_name or "photo.png")
        elif isinstance(photo, str) and photo in self.files:
            stored = self.files[photo]
        else:
            raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        size = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "width": 640,
            "height": 360,
            "file_size": len(stored.content),
        }
        fields: JSON = {"photo": [size]}
        if params.get("caption"):
            fields["caption"] = self._checked_text(
                params["caption"], params.get("parse_mode"), limit=MAX_CAPTION_LENGTH, empty_error=None
            )
        return self._bot_message(params.get("chat_id"), fields, params)

    def sent_photos(self, chat_id: int | None = None) -> list[bytes]:
        """The bytes of every photo the bot sent (to ``chat_id`` when given), in order."""
        photos = []
        for message in self.bot_messages:
            if "photo" in message and (chat_id is None or message["chat"]["id"] == chat_id):
                photos.append(self.files[message["photo"][0]["file_id"]].content)
        return photos

    async def _api_close(self, params: JSON) -> bool:
        return True

    async def _api_logOut(self, params: JSON) -> bool:
        return True


def _short(params: JSON, limit: int = 300) -> str:
    """Compact params rendering for AssertionError messages."""
    text = json.dumps(
        {k: (f"<{len(v.content)} bytes>" if isinstance(v, UploadedFile) else v) for k, v in params.items()},
        ensure_ascii=False,
        default=str,
    )
    return text if len(text) <= limit else text[: limit - 3] + "..."

